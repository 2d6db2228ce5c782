"""Amazon Inspector findings on ECR images as one `ScanReport`.

Reads `aws inspector2 list-findings` output, the `detail` of an "Inspector2 Finding" event and,
through `ecr.py`, the `enhancedFindings` of DescribeImageScanFindings, which carry the same
finding under other score field names (`score`, `scoreDetails.cvss`).

- PACKAGE_VULNERABILITY: one finding per vulnerable package.
- CODE_VULNERABILITY: one finding for the file and line it names.
- NETWORK_REACHABILITY describes a network path, not an image: counted in `skipped`, as is a
  finding on anything but an ECR container image (EC2, Lambda: "non-ecr-resource").
- SUPPRESSED and CLOSED findings are kept, inactive, so that a release can see them close.
- Dates are read when they can be: ISO-8601, epoch seconds, datetimes, and the two human formats
  of the published event samples (read as UTC). Anything else leaves `published` empty rather
  than failing the report.

A report describes one image: findings on several images are refused with a hint to filter by
digest. An empty list of findings is a complete report with no findings; whether Inspector
covers the image at all is a separate question (coverage) that this module cannot answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from pydantic import ValidationError

from ecr_guard.errors import ReportError
from ecr_guard.findings.inspector_schema import (
    FINDING,
    EcrImage,
    FindingFields,
    FindingType,
    VulnerablePackage,
    code_finding_id,
)
from ecr_guard.findings.model import (
    Finding,
    FindingKind,
    FixAvailability,
    ImageFacts,
    ReportSource,
    ScanReport,
    Severity,
)
from ecr_guard.findings.parsing import (
    ReportFormat,
    cvss_version,
    report_error_from_validation,
    split_versions,
)

ECR_IMAGE_RESOURCE = "AWS_ECR_CONTAINER_IMAGE"
SKIPPED_NON_ECR = "non-ecr-resource"

_NOT_AVAILABLE = "NotAvailable"
_INACTIVE_STATUSES = frozenset({"SUPPRESSED", "CLOSED"})
_FIX = {"YES": FixAvailability.YES, "NO": FixAvailability.NO, "PARTIAL": FixAvailability.PARTIAL}
_EXPLOIT = {"YES": True, "NO": False}


class InspectorFindings(NamedTuple):
    """Findings read from Inspector items, what was skipped, and the images they are on."""

    findings: list[Finding]
    skipped: dict[str, int]
    images: list[ImageFacts]


def collect_inspector_findings(
    items: Iterable[tuple[str, Mapping[str, Any]]], *, origin: str
) -> InspectorFindings:
    """Convert `(location, finding)` pairs; the location names the item in error messages."""
    findings: list[Finding] = []
    skipped: Counter[str] = Counter()
    images: dict[str | None, ImageFacts] = {}
    for location, item in items:
        try:
            finding = FINDING.validate_python(item)
        except ValidationError as error:
            raise report_error_from_validation(origin, error, prefix=location) from None
        resource = _ecr_resource(finding)
        if resource is None:
            skipped[SKIPPED_NON_ECR] += 1
            continue
        if resource:
            image = _image_facts(resource)
            images.setdefault(image.digest, image)
        kind = finding.get("type") or FindingType.PACKAGE_VULNERABILITY
        if kind == FindingType.PACKAGE_VULNERABILITY:
            findings.extend(_package_findings(finding))
        elif kind == FindingType.CODE_VULNERABILITY:
            findings.append(_code_finding(finding))
        else:
            skipped[kind.lower().replace("_", "-")] += 1
    return InspectorFindings(findings, dict(skipped), list(images.values()))


def report_from_inspector_findings(
    items: Iterable[Mapping[str, Any]],
    *,
    origin: str,
    source: ReportSource = ReportSource.INSPECTOR,
    report_format: ReportFormat = ReportFormat.INSPECTOR_LIST_FINDINGS,
    location: str = "findings",
) -> ScanReport:
    """A report from Inspector finding objects (`list-findings` output's `findings`)."""
    located = ((f"{location}[{index}]", item) for index, item in enumerate(items))
    return _report(
        collect_inspector_findings(located, origin=origin), origin, source, report_format
    )


def report_from_inspector_finding(
    item: Mapping[str, Any],
    *,
    origin: str,
    report_format: ReportFormat = ReportFormat.INSPECTOR_FINDING,
    location: str = "",
) -> ScanReport:
    """A report from one finding, such as the `detail` of an "Inspector2 Finding" event."""
    collected = collect_inspector_findings([(location, item)], origin=origin)
    return _report(collected, origin, ReportSource.INSPECTOR, report_format)


def _report(
    collected: InspectorFindings, origin: str, source: ReportSource, report_format: ReportFormat
) -> ScanReport:
    return ScanReport(
        source=source,
        origin=origin,
        format=report_format,
        image=single_image(collected.images, origin),
        findings=tuple(collected.findings),
        skipped=collected.skipped,
    )


def single_image(images: list[ImageFacts], origin: str) -> ImageFacts:
    """The one image the findings are on; findings on several images are not one report."""
    if len(images) > 1:
        digests = ", ".join(sorted(str(image.digest) for image in images))
        raise ReportError(
            origin,
            f"the findings are on {len(images)} images ({digests}); a report covers one image: "
            "filter the findings by image digest",
        )
    return images[0] if images else ImageFacts()


def _ecr_resource(finding: FindingFields) -> EcrImage | None:
    """The ECR image the finding is on; `{}` when no resource is named; None for EC2, Lambda…"""
    resources = finding.get("resources")
    if not resources:
        return {}
    for resource in resources:
        if resource.get("type") == ECR_IMAGE_RESOURCE:
            details = resource.get("details") or {}
            return details.get("awsEcrContainerImage") or {}
    return None


def _package_findings(finding: FindingFields) -> list[Finding]:
    details = finding.get("packageVulnerabilityDetails") or {}
    common = _common_fields(finding)
    common["id"] = details["vulnerabilityId"]
    common["url"] = details.get("sourceUrl") or _first(details.get("referenceUrls"))
    common["published"] = details.get("vendorCreatedAt")
    finding_fix = _FIX.get(finding.get("fixAvailable") or "", FixAvailability.NO)
    packages = details.get("vulnerablePackages") or [{}]
    return [
        Finding.model_validate({**common, **_package_fields(package, finding_fix)})
        for package in packages
    ]


def _package_fields(package: VulnerablePackage, finding_fix: FixAvailability) -> dict[str, Any]:
    """One package's fields; its own fixed version, where given, says more than the finding's."""
    fixed_in = package.get("fixedInVersion")
    fixed_versions = () if fixed_in == _NOT_AVAILABLE else split_versions(fixed_in)
    if fixed_versions:
        fix = FixAvailability.YES
    elif fixed_in == _NOT_AVAILABLE:
        fix = FixAvailability.NO
    else:
        fix = finding_fix
    manager = package.get("packageManager")
    return {
        "package_name": package.get("name"),
        "installed_version": _installed_version(package),
        "fixed_versions": fixed_versions,
        "fix": fix,
        "package_type": manager.lower() if manager else None,
        "path": package.get("filePath"),
        "purl": package.get("purl"),
    }


def _installed_version(package: VulnerablePackage) -> str | None:
    """`epoch:version-release` as the package manager writes it; epoch 0 is left out."""
    version = package.get("version")
    if not version:
        return None
    if release := package.get("release"):
        version = f"{version}-{release}"
    if epoch := package.get("epoch"):
        version = f"{epoch}:{version}"
    return version


def _code_finding(finding: FindingFields) -> Finding:
    details = finding.get("codeVulnerabilityDetails") or {}
    location = details.get("filePath") or {}
    fields = _common_fields(finding)
    fields["id"] = code_finding_id(finding)
    fields["url"] = _first(details.get("referenceUrls"))
    fields["path"] = location.get("filePath")
    fields["line"] = location.get("startLine")
    return Finding.model_validate(fields)


def _common_fields(finding: FindingFields) -> dict[str, Any]:
    status = finding.get("status")
    epss = finding.get("epss") or {}
    score, version, source, vector = _pick_cvss(finding)
    return {
        "kind": FindingKind.VULNERABILITY,
        "severity": Severity.parse(finding.get("severity")),
        "severity_source": "inspector",
        "title": finding.get("title"),
        "active": status not in _INACTIVE_STATUSES,
        "status": status.lower() if status else None,
        "fix": _FIX.get(finding.get("fixAvailable") or "", FixAvailability.NO),
        "exploit_available": _EXPLOIT.get(finding.get("exploitAvailable") or ""),
        "epss": epss.get("score"),
        "cvss_score": score,
        "cvss_version": version,
        "cvss_source": source,
        "cvss_vector": vector,
    }


def _pick_cvss(finding: FindingFields) -> tuple[float | None, str | None, str | None, str | None]:
    """Inspector's adjusted score, else the newest CVSS version listed, else the bare score."""
    details = finding.get("inspectorScoreDetails") or finding.get("scoreDetails") or {}
    adjusted = details.get("adjustedCvss") or details.get("cvss") or {}
    if (score := adjusted.get("score")) is not None:
        vector = adjusted.get("scoringVector")
        version = adjusted.get("version") or cvss_version(vector, "") or None
        source = adjusted.get("cvssSource") or adjusted.get("scoreSource")
        return score, version, source, vector

    listed = [
        entry
        for entry in (finding.get("packageVulnerabilityDetails") or {}).get("cvss") or ()
        if entry.get("baseScore") is not None
    ]
    if listed:
        newest = max(listed, key=lambda entry: _version_key(entry.get("version")))
        return (
            newest.get("baseScore"),
            newest.get("version"),
            newest.get("source"),
            newest.get("scoringVector"),
        )

    bare = finding.get("inspectorScore")
    if bare is None:
        bare = finding.get("score")
    return (bare, None, "inspector", None) if bare is not None else (None, None, None, None)


def _version_key(version: str | None) -> tuple[int, ...]:
    """`(3, 1)` from "3.1", so that 3.1 beats 3.0 and 10 would beat 4; unreadable sorts first."""
    try:
        return tuple(int(part) for part in (version or "").split("."))
    except ValueError:
        return ()


def _image_facts(image: EcrImage) -> ImageFacts:
    family, version = _platform(image.get("platform"))
    return ImageFacts(
        repository=image.get("repositoryName"),
        digest=image.get("imageHash"),
        tags=tuple(tag for tag in image.get("imageTags") or () if tag),
        architecture=image.get("architecture"),
        os_family=family,
        os_version=version,
        author=image.get("author"),
    )


def _platform(platform: str | None) -> tuple[str | None, str | None]:
    """`("debian", "10")` from DEBIAN_10, `("ubuntu", "24.04")` from UBUNTU_24_04."""
    if not platform:
        return None, None
    words = platform.split("_")
    numbers = [word for word in words if word.isdigit()]
    return words[0].lower(), ".".join(numbers) or None


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None
