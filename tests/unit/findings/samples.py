"""Inspector and ECR findings written here in the API's shape (botocore service models).

No published DescribeImageScanFindings response with `enhancedFindings` exists, so these
follow the `EnhancedImageScanFinding` and inspector2 `Finding` shapes field by field.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

DIGEST = "sha256:" + "ab" * 32
REPOSITORY = "team/app"
VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"


def ecr_resource(**image: Any) -> dict[str, Any]:
    details = {
        "architecture": "arm64",
        "imageHash": DIGEST,
        "imageTags": ["v1.4"],
        "platform": "UBUNTU_22_04",
        "pushedAt": datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
        "registry": "123456789012",
        "repositoryName": REPOSITORY,
        **image,
    }
    return {
        "details": {"awsEcrContainerImage": details},
        "id": f"arn:aws:ecr:eu-west-1:123456789012:repository/{REPOSITORY}/{details['imageHash']}",
        "partition": "aws",
        "region": "eu-west-1",
        "tags": {},
        "type": "AWS_ECR_CONTAINER_IMAGE",
    }


def inspector_finding(**overrides: Any) -> dict[str, Any]:
    """A PACKAGE_VULNERABILITY finding on an ECR image, as ListFindings returns it."""
    finding: dict[str, Any] = {
        "awsAccountId": "123456789012",
        "description": "A crafted request makes the server exhaust memory. Fixed in 3.0.13.",
        "exploitAvailable": "YES",
        "epss": {"score": 0.0421},
        "findingArn": "arn:aws:inspector2:eu-west-1:123456789012:finding/0f1e2d3c4b5a",
        "firstObservedAt": datetime(2024, 5, 1, 9, 5, tzinfo=UTC),
        "fixAvailable": "YES",
        "inspectorScore": 7.5,
        "inspectorScoreDetails": {
            "adjustedCvss": {
                "adjustments": [],
                "cvssSource": "NVD",
                "score": 7.5,
                "scoreSource": "NVD",
                "scoringVector": VECTOR,
                "version": "3.1",
            }
        },
        "lastObservedAt": datetime(2024, 5, 2, 9, 5, tzinfo=UTC),
        "packageVulnerabilityDetails": {
            "cvss": [
                {
                    "baseScore": 5.0,
                    "scoringVector": "AV:N/AC:L/Au:N/C:N/I:N/A:P",
                    "source": "NVD",
                    "version": "2.0",
                },
                {"baseScore": 7.5, "scoringVector": VECTOR, "source": "NVD", "version": "3.1"},
            ],
            "referenceUrls": ["https://ubuntu.com/security/CVE-2024-1234"],
            "relatedVulnerabilities": [],
            "source": "UBUNTU_CVE",
            "sourceUrl": "https://nvd.nist.gov/vuln/detail/CVE-2024-1234",
            "vendorCreatedAt": datetime(2024, 2, 14, 12, 0, tzinfo=UTC),
            "vendorSeverity": "medium",
            "vulnerabilityId": "CVE-2024-1234",
            "vulnerablePackages": [
                {
                    "arch": "X86_64",
                    "epoch": 0,
                    "fixedInVersion": "3.0.2-0ubuntu1.15",
                    "name": "libssl3",
                    "packageManager": "OS",
                    "release": "0ubuntu1.14",
                    "sourceLayerHash": "sha256:" + "cd" * 32,
                    "version": "3.0.2",
                }
            ],
        },
        "remediation": {"recommendation": {"text": "Upgrade libssl3."}},
        "resources": [ecr_resource()],
        "severity": "HIGH",
        "status": "ACTIVE",
        "title": "CVE-2024-1234 - libssl3",
        "type": "PACKAGE_VULNERABILITY",
        "updatedAt": datetime(2024, 5, 2, 9, 5, tzinfo=UTC),
    }
    finding.update(overrides)
    return finding


def enhanced_finding(**overrides: Any) -> dict[str, Any]:
    """The same finding as DescribeImageScanFindings returns it: score fields renamed."""
    finding = copy.deepcopy(inspector_finding())
    finding["score"] = finding.pop("inspectorScore")
    adjusted = finding.pop("inspectorScoreDetails")["adjustedCvss"]
    del adjusted["cvssSource"]
    finding["scoreDetails"] = {"cvss": adjusted}
    finding.update(overrides)
    return finding


def scan_page(
    *,
    findings: list[dict[str, Any]] | None = None,
    enhanced: list[dict[str, Any]] | None = None,
    status: str = "COMPLETE",
    description: str | None = "The scan was completed successfully.",
    tag: str | None = "v1.4",
    **extra: Any,
) -> dict[str, Any]:
    """One DescribeImageScanFindings response as boto3 returns it (datetimes, not strings)."""
    scan_findings: dict[str, Any] = {
        "imageScanCompletedAt": datetime(2024, 5, 1, 9, 3, tzinfo=UTC),
        "vulnerabilitySourceUpdatedAt": datetime(2024, 5, 1, 0, 0, tzinfo=UTC),
        "findingSeverityCounts": {},
    }
    if findings is not None:
        scan_findings["findings"] = findings
    if enhanced is not None:
        scan_findings["enhancedFindings"] = enhanced
    image_id = {"imageDigest": DIGEST, **({"imageTag": tag} if tag else {})}
    scan_status = {"status": status, **({"description": description} if description else {})}
    return {
        "registryId": "123456789012",
        "repositoryName": REPOSITORY,
        "imageId": image_id,
        "imageScanStatus": scan_status,
        "imageScanFindings": scan_findings,
        "ResponseMetadata": {"HTTPStatusCode": 200},
        **extra,
    }


def basic_finding(name: str, severity: str, **attributes: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{name} lets an attacker in. Details follow.",
        "uri": f"https://security-tracker.debian.org/tracker/{name}",
        "severity": severity,
        "attributes": [{"key": key, "value": value} for key, value in attributes.items()],
    }
