"""Events as AWS delivers them: EventBridge envelopes for each detail-type the guard's rules
route, the SQS batch the guard's event source mapping hands to Lambda, and the invocation record
Lambda sends to an on-failure destination.

Event ids are derived from the scenario, the step and the event's position, so a scenario sends
the same events on every run.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ecr_guard.events import DetailType, EventSource

_NAMESPACE = uuid.UUID("6f1b8c1e-6a53-4a4f-9d0e-2f5c3c0e7a11")


def event_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class EventFactory:
    """Builds the envelopes of one scenario run."""

    def __init__(self, *, scenario: str, account: str, region: str):
        self.scenario = scenario
        self.account = account
        self.region = region
        self._count = 0

    def _id(self) -> str:
        self._count += 1
        return str(uuid.uuid5(_NAMESPACE, f"{self.scenario}/{self._count}"))

    def envelope(
        self,
        source: str,
        detail_type: str,
        detail: Mapping[str, Any],
        *,
        time: datetime,
        resources: Sequence[str] = (),
    ) -> dict[str, Any]:
        return {
            "version": "0",
            "id": self._id(),
            "detail-type": detail_type,
            "source": source,
            "account": self.account,
            "time": event_time(time),
            "region": self.region,
            "resources": list(resources),
            "detail": dict(detail),
        }

    def repository_arn(self, repository: str) -> str:
        return f"arn:aws:ecr:{self.region}:{self.account}:repository/{repository}"

    def push(
        self, repository: str, digest: str, tag: str | None, *, time: datetime
    ) -> dict[str, Any]:
        """ECR Image Action (PUSH): empty `resources`, a singular optional `image-tag`."""
        detail: dict[str, Any] = {
            "result": "SUCCESS",
            "repository-name": repository,
            "image-digest": digest,
            "action-type": "PUSH",
        }
        if tag:
            detail["image-tag"] = tag
        return self.envelope(EventSource.ECR, DetailType.ECR_IMAGE_ACTION, detail, time=time)

    def basic_scan(
        self,
        repository: str,
        digest: str,
        tags: Sequence[str],
        *,
        counts: Mapping[str, int] | None,
        time: datetime,
    ) -> dict[str, Any]:
        """ECR Image Scan: COMPLETE with severity counts, or FAILED (counts None) without."""
        detail: dict[str, Any] = {
            "scan-status": "COMPLETE" if counts is not None else "FAILED",
            "repository-name": repository,
            "image-digest": digest,
            "image-tags": list(tags),
        }
        if counts is not None:
            detail["finding-severity-counts"] = dict(counts)
        return self.envelope(
            EventSource.ECR,
            DetailType.ECR_IMAGE_SCAN,
            detail,
            time=time,
            resources=[self.repository_arn(repository)],
        )

    def inspector_scan(
        self,
        repository: str,
        digest: str,
        tags: Sequence[str],
        *,
        counts: Mapping[str, int],
        time: datetime,
    ) -> dict[str, Any]:
        """Inspector2 Scan: the repository ARN in `repository-name`, counts with TOTAL."""
        arn = self.repository_arn(repository)
        detail = {
            "scan-status": "INITIAL_SCAN_COMPLETE",
            "repository-name": arn,
            "finding-severity-counts": {**counts, "TOTAL": sum(counts.values())},
            "image-digest": digest,
            "image-tags": list(tags),
        }
        return self.envelope(
            EventSource.INSPECTOR, DetailType.INSPECTOR_SCAN, detail, time=time, resources=[arn]
        )

    def inspector_finding(self, finding: Mapping[str, Any], *, time: datetime) -> dict[str, Any]:
        """Inspector2 Finding: the finding itself, camelCase, about one image."""
        resources = [str(resource["id"]) for resource in finding.get("resources", [])]
        return self.envelope(
            EventSource.INSPECTOR,
            DetailType.INSPECTOR_FINDING,
            finding,
            time=time,
            resources=resources,
        )

    def object_created(
        self, bucket: str, key: str, *, version_id: str | None, etag: str, size: int, time: datetime
    ) -> dict[str, Any]:
        """S3 Object Created, as a bucket with EventBridge notifications sends it."""
        found: dict[str, Any] = {"key": key, "size": size, "etag": etag, "sequencer": "0"}
        if version_id:
            found["version-id"] = version_id
        detail = {
            "version": "0",
            "bucket": {"name": bucket},
            "object": found,
            "request-id": self._id().replace("-", "")[:16].upper(),
            "requester": self.account,
            "reason": "PutObject",
        }
        return self.envelope(
            EventSource.S3,
            DetailType.S3_OBJECT_CREATED,
            detail,
            time=time,
            resources=[f"arn:aws:s3:::{bucket}"],
        )

    def trivy_report_uploaded(
        self,
        bucket: str,
        key: str,
        *,
        version_id: str | None,
        repository: str,
        digest: str,
        tags: Sequence[str],
        time: datetime,
    ) -> dict[str, Any]:
        """ecr-guard's own CI event, as `aws events put-events` sends it."""
        detail: dict[str, Any] = {
            "bucket": bucket,
            "key": key,
            "repository-name": repository,
            "image-digest": digest,
            "image-tags": list(tags),
        }
        if version_id:
            detail["version-id"] = version_id
        return self.envelope(EventSource.CI, DetailType.TRIVY_REPORT_UPLOADED, detail, time=time)


def sqs_batch(
    messages: Sequence[Mapping[str, Any]], *, queue_arn: str, region: str
) -> dict[str, Any]:
    """The Lambda event of an SQS event source mapping, from ReceiveMessage's messages."""
    records = []
    for message in messages:
        attributes = message.get("Attributes", {})
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": {
                    name: attributes[name]
                    for name in (
                        "ApproximateReceiveCount",
                        "SentTimestamp",
                        "SenderId",
                        "ApproximateFirstReceiveTimestamp",
                    )
                    if name in attributes
                },
                "messageAttributes": {},
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        )
    return {"Records": records}


def invocation_record(
    event: Mapping[str, Any],
    *,
    function_arn: str,
    request_id: str,
    error: BaseException,
    attempts: int,
    time: datetime,
) -> dict[str, Any]:
    """What Lambda sends to an on-failure destination after its retries of an async invoke."""
    return {
        "version": "1.0",
        "timestamp": time.isoformat(),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": dict(event),
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": {"errorMessage": str(error), "errorType": type(error).__name__},
    }
