"""Events written by hand for the cases AWS publishes no sample of."""

from __future__ import annotations

from typing import Any

DIGEST = "sha256:" + "0123456789abcdef" * 4
OTHER_DIGEST = "sha256:" + "fedcba9876543210" * 4
ACCOUNT = "111122223333"
REGION = "eu-west-1"


def envelope(source: str, detail_type: str, detail: Any, **extra: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "5a0c8d3e-1b2f-4c3d-9e8f-0a1b2c3d4e5f",
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": "2026-12-03T11:58:00Z",
        "region": REGION,
        "resources": [],
        "detail": detail,
        **extra,
    }


def image_scan(**detail: Any) -> dict[str, Any]:
    body = {"scan-status": "COMPLETE", "repository-name": "team/app", "image-digest": DIGEST}
    return envelope("aws.ecr", "ECR Image Scan", body | detail)


def image_action(**detail: Any) -> dict[str, Any]:
    body = {
        "result": "SUCCESS",
        "repository-name": "team/app",
        "image-digest": DIGEST,
        "action-type": "PUSH",
    }
    return envelope("aws.ecr", "ECR Image Action", body | detail)


def object_created(key: str, **object_fields: Any) -> dict[str, Any]:
    return envelope(
        "aws.s3",
        "Object Created",
        {
            "version": "0",
            "bucket": {"name": "guard-reports"},
            "object": {"key": key, "size": 48213, "etag": "9b2cf535f27731c974343645a3985328"}
            | object_fields,
            "request-id": "N4N7GDK58NMKJ12R",
            "requester": ACCOUNT,
            "reason": "PutObject",
        },
        resources=["arn:aws:s3:::guard-reports"],
    )


def trivy_uploaded(**detail: Any) -> dict[str, Any]:
    body = {
        "bucket": "guard-reports",
        "key": f"trivy/team/app/{DIGEST}.json",
        "version-id": "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY",
        "repository-name": "team/app",
        "image-digest": DIGEST,
        "image-tags": ["1.2.3"],
    }
    return envelope("ecr-guard.ci", "Trivy Report Uploaded", body | detail)
