"""What each scanner reports about an image, in the shapes AWS uses, from a scenario's findings.

- ECR basic scanning: DescribeImageScanFindings answers with `findings` (name, severity, key/value
  `attributes`); a failed scan answers status FAILED with the reason and no findings.
- ECR enhanced scanning: Amazon Inspector findings. Inspector's own API and its "Inspector2
  Finding" events carry them as Inspector writes them; DescribeImageScanFindings returns them as
  `enhancedFindings` with two score fields renamed (`inspectorScore` → `score`,
  `inspectorScoreDetails.adjustedCvss` → `scoreDetails.cvss`) and only the members of ECR's own
  model. Findings are kept here in Inspector's shape and converted for ECR.
"""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecr_guard.sim.scenario import BasicFinding, EnhancedFinding

BASIC_COMPLETE = "The scan was completed successfully."
ENHANCED_ACTIVE = "Continuous scan is selected for image."
ECR_IMAGE_RESOURCE = "AWS_ECR_CONTAINER_IMAGE"


@dataclass(frozen=True)
class ImageFindings:
    """Everything the scanners find in one scanned image (a leaf)."""

    trivy: bytes | None = None
    trivy_name: str | None = None
    basic: tuple[dict[str, Any], ...] = ()
    enhanced: tuple[dict[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class Target:
    """The image a finding is placed on."""

    account: str
    region: str
    repository: str
    digest: str
    tags: tuple[str, ...] = ()
    architecture: str | None = None

    @property
    def arn(self) -> str:
        return (
            f"arn:aws:ecr:{self.region}:{self.account}:repository/{self.repository}/{self.digest}"
        )


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- basic scanning


def basic_finding(finding: BasicFinding) -> dict[str, Any]:
    """An inline finding as ECR basic scanning lists it."""
    attributes = [
        {"key": "package_version", "value": finding.version},
        {"key": "package_name", "value": finding.package},
    ]
    if finding.cvss is not None:
        attributes.append({"key": "CVSS3_SCORE", "value": f"{finding.cvss:g}"})
    entry: dict[str, Any] = {
        "name": finding.id,
        "severity": finding.severity,
        "attributes": attributes,
    }
    if finding.description:
        entry["description"] = finding.description
    if finding.uri:
        entry["uri"] = finding.uri
    return entry


def basic_findings_from_file(document: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The findings of `aws ecr describe-image-scan-findings` output; None when it is not."""
    scan = document.get("imageScanFindings")
    if not isinstance(scan, Mapping):
        return None
    findings = scan.get("findings") or []
    return [dict(finding) for finding in findings if isinstance(finding, Mapping)]


def basic_response(findings: Iterable[Mapping[str, Any]], *, at: datetime) -> dict[str, Any]:
    """DescribeImageScanFindings after a completed basic scan."""
    listed = [dict(finding) for finding in findings]
    return {
        "imageScanStatus": {"status": "COMPLETE", "description": BASIC_COMPLETE},
        "imageScanFindings": {
            "findings": listed,
            "findingSeverityCounts": severity_counts(listed, key="severity"),
            "imageScanCompletedAt": iso(at),
            "vulnerabilitySourceUpdatedAt": iso(at),
        },
    }


def failed_response(reason: str) -> dict[str, Any]:
    """DescribeImageScanFindings after a basic scan that could not scan the image."""
    return {"imageScanStatus": {"status": "FAILED", "description": reason}}


def severity_counts(findings: Iterable[Mapping[str, Any]], *, key: str) -> dict[str, int]:
    """Counts per severity label, zero levels left out (as ECR and Inspector send them)."""
    return dict(Counter(str(finding.get(key) or "UNDEFINED") for finding in findings))


# ---------------------------------------------------------------- enhanced scanning (Inspector)


def enhanced_finding(finding: EnhancedFinding) -> dict[str, Any]:
    """An inline finding as Inspector writes it (list-findings, Inspector2 Finding events)."""
    package: dict[str, Any] = {
        "name": finding.package,
        "version": finding.version,
        "packageManager": finding.package_manager,
    }
    if finding.fixed:
        package["fixedInVersion"] = finding.fixed
    entry: dict[str, Any] = {
        "type": "PACKAGE_VULNERABILITY",
        "status": "ACTIVE",
        "severity": finding.severity,
        "title": finding.title or f"{finding.id} - {finding.package}",
        "fixAvailable": "YES" if finding.fixed else "NO",
        "packageVulnerabilityDetails": {
            "vulnerabilityId": finding.id,
            "source": "NVD",
            "vulnerablePackages": [package],
            "cvss": [],
        },
        "remediation": {"recommendation": {"text": "None Provided"}},
    }
    if finding.cvss is not None:
        entry["inspectorScore"] = finding.cvss
        entry["inspectorScoreDetails"] = {
            "adjustedCvss": {
                "score": finding.cvss,
                "scoreSource": "NVD",
                "cvssSource": "NVD",
                "version": "3.1",
                "adjustments": [],
            }
        }
        entry["packageVulnerabilityDetails"]["cvss"] = [
            {"baseScore": finding.cvss, "source": "NVD", "version": "3.1"}
        ]
    return entry


def enhanced_findings_from_file(document: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Inspector findings from `aws inspector2 list-findings` output, or from the
    `enhancedFindings` of `aws ecr describe-image-scan-findings` output; None otherwise."""
    listed = document.get("findings")
    if isinstance(listed, list) and "imageScanFindings" not in document:
        return [dict(finding) for finding in listed if isinstance(finding, Mapping)]
    scan = document.get("imageScanFindings")
    if isinstance(scan, Mapping) and isinstance(scan.get("enhancedFindings"), list):
        return [_inspector_names(finding) for finding in scan["enhancedFindings"]]
    return None


def finding_id(finding: Mapping[str, Any]) -> str:
    details = finding.get("packageVulnerabilityDetails") or {}
    return str(details.get("vulnerabilityId") or finding.get("title") or "")


def placed(finding: Mapping[str, Any], target: Target, *, at: datetime) -> dict[str, Any]:
    """An Inspector finding about `target`, observed and updated at `at`."""
    document = copy.deepcopy(dict(finding))
    seed = f"{target.digest}|{finding.get('findingArn') or finding_id(finding)}"
    document["findingArn"] = (
        f"arn:aws:inspector2:{target.region}:{target.account}:finding/"
        + hashlib.sha256(seed.encode()).hexdigest()[:32]
    )
    document["awsAccountId"] = target.account
    document.setdefault("firstObservedAt", iso(at))
    document["lastObservedAt"] = document["updatedAt"] = iso(at)
    image: dict[str, Any] = {
        "repositoryName": target.repository,
        "imageHash": target.digest,
        "registry": target.account,
        "imageTags": list(target.tags),
    }
    if target.architecture:
        image["architecture"] = target.architecture
    document["resources"] = [
        {
            "type": ECR_IMAGE_RESOURCE,
            "id": target.arn,
            "partition": "aws",
            "region": target.region,
            "details": {"awsEcrContainerImage": image},
        }
    ]
    return document


def enhanced_response(findings: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """DescribeImageScanFindings under enhanced scanning: Inspector's active findings."""
    active = [finding for finding in findings if finding.get("status", "ACTIVE") == "ACTIVE"]
    return {
        "imageScanStatus": {"status": "ACTIVE", "description": ENHANCED_ACTIVE},
        "imageScanFindings": {
            "enhancedFindings": [_ecr_names(finding) for finding in active],
            "findingSeverityCounts": severity_counts(active, key="severity"),
        },
    }


def _ecr_names(finding: Mapping[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(dict(finding))
    if "inspectorScore" in document:
        document["score"] = document.pop("inspectorScore")
    details = document.pop("inspectorScoreDetails", None)
    if isinstance(details, Mapping) and "adjustedCvss" in details:
        document["scoreDetails"] = {"cvss": details["adjustedCvss"]}
    return _as_ecr_returns(document)


def _inspector_names(finding: Mapping[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(dict(finding))
    if "score" in document:
        document["inspectorScore"] = document.pop("score")
    details = document.pop("scoreDetails", None)
    if isinstance(details, Mapping) and "cvss" in details:
        document["inspectorScoreDetails"] = {"adjustedCvss": details["cvss"]}
    return document


def _as_ecr_returns(finding: dict[str, Any]) -> dict[str, Any]:
    """Only the members ECR's API model has: what ECR itself can return."""
    import botocore.session  # noqa: PLC0415 (the simulator's dependency, loaded when used)

    model = botocore.session.get_session().get_service_model("ecr")
    shape = model.shape_for("EnhancedImageScanFinding")
    filtered: dict[str, Any] = _filter(finding, shape)
    return filtered


def _filter(value: Any, shape: Any) -> Any:
    if shape.type_name == "structure" and isinstance(value, dict):
        return {
            name: _filter(item, shape.members[name])
            for name, item in value.items()
            if name in shape.members
        }
    if shape.type_name == "list" and isinstance(value, list):
        return [_filter(item, shape.member) for item in value]
    return value
