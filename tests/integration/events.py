"""EventBridge events as AWS (and ecr-guard's CI) send them, for images that exist in moto.

Published samples are read from the corpus and adapted in memory: their documentation digests
(60 characters, `EXAMPLE`) name no real image, so the copy names one the test pushed.
"""

from __future__ import annotations

import copy
import itertools
import json
import uuid
from pathlib import Path
from typing import Any

from tests.integration.stack import ACCOUNT, REGION

_clock = itertools.count()


def _time() -> str:
    """A distinct envelope time per event (scan markers are made of it)."""
    tick = next(_clock)
    return f"2026-12-03T{10 + tick // 3600 % 12:02d}:{tick // 60 % 60:02d}:{tick % 60:02d}Z"


def envelope(source: str, detail_type: str, detail: dict[str, Any], **fields: Any) -> dict:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": fields.get("account", ACCOUNT),
        "time": fields.get("time") or _time(),
        "region": fields.get("region", REGION),
        "resources": fields.get("resources", []),
        "detail": detail,
    }


def push_event(repository: str, digest: str, tag: str | None = None, **fields: Any) -> dict:
    detail: dict[str, Any] = {
        "result": "SUCCESS",
        "repository-name": repository,
        "image-digest": digest,
        "action-type": "PUSH",
    }
    if tag:
        detail["image-tag"] = tag
    return envelope("aws.ecr", "ECR Image Action", detail, **fields)


def scan_event(
    repository: str,
    digest: str,
    tags: list[str] | None = None,
    *,
    status: str = "COMPLETE",
    **fields: Any,
) -> dict:
    region = fields.get("region", REGION)
    detail: dict[str, Any] = {
        "scan-status": status,
        "repository-name": repository,
        "image-digest": digest,
        "image-tags": tags or [],
    }
    if status == "COMPLETE":
        detail["finding-severity-counts"] = {"MEDIUM": 1}
    resources = [f"arn:aws:ecr:{region}:{ACCOUNT}:repository/{repository}"]
    return envelope("aws.ecr", "ECR Image Scan", detail, resources=resources, **fields)


def s3_object_created(
    bucket: str, key: str, *, version_id: str | None = None, etag: str | None = None
) -> dict:
    found: dict[str, Any] = {"key": key, "size": 1024, "sequencer": "00617F08299329D189"}
    if version_id:
        found["version-id"] = version_id
    if etag:
        found["etag"] = etag
    detail = {
        "version": "0",
        "bucket": {"name": bucket},
        "object": found,
        "request-id": "N4N7GDK58NMKJ12R",
        "requester": ACCOUNT,
        "reason": "PutObject",
    }
    return envelope("aws.s3", "Object Created", detail, resources=[f"arn:aws:s3:::{bucket}"])


def trivy_report_uploaded(
    bucket: str,
    key: str,
    repository: str,
    digest: str,
    *,
    tags: list[str] | None = None,
    version_id: str | None = None,
) -> dict:
    detail: dict[str, Any] = {
        "bucket": bucket,
        "key": key,
        "repository-name": repository,
        "image-digest": digest,
        "image-tags": tags or [],
    }
    if version_id:
        detail["version-id"] = version_id
    return envelope("ecr-guard.ci", "Trivy Report Uploaded", detail)


def corpus_event(corpus: Path, relative: str) -> dict[str, Any]:
    """A published sample as it is (a fresh copy)."""
    return copy.deepcopy(json.loads((corpus / relative).read_text()))


def adapted(event: dict[str, Any], *, digest: str, repository: str | None = None) -> dict:
    """A copy of a published ECR or Inspector sample naming an image that exists."""
    event = copy.deepcopy(event)
    event["id"] = str(uuid.uuid4())
    detail = event["detail"]
    if "image-digest" in detail:
        detail["image-digest"] = digest
        if repository and "repository-name" in detail:
            name = detail["repository-name"]
            detail["repository-name"] = (
                name.split(":repository/")[0] + f":repository/{repository}"
                if name.startswith("arn:")
                else repository
            )
    for resource in detail.get("resources", []):
        image = resource.get("details", {}).get("awsEcrContainerImage")
        if image is not None:
            image["imageHash"] = digest
            if repository:
                image["repositoryName"] = repository
    return event
