"""ECR DescribeImageScanFindings responses as one `ScanReport`.

Reads the pages of a boto3 paginator (timestamps are datetimes there) as well as the single
merged page `aws ecr describe-image-scan-findings` prints (epoch seconds or ISO-8601 strings).

- Basic scanning: `imageScanFindings.findings`, with package and CVSS facts in key/value
  `attributes` whose values are strings; a CVSS 3 score is preferred to a CVSS 2 one.
- Enhanced scanning: `imageScanFindings.enhancedFindings` are Amazon Inspector findings with
  renamed score fields, read by `inspector.py`. Enhanced scanning reports status ACTIVE (it
  keeps monitoring the image), which is as complete as basic scanning's COMPLETE.

Every other status makes the report unusable (PENDING, FAILED or UNSUPPORTED), so that the
policy decides what an image without a usable scan means. Basic scanning reports scratch,
busybox and distroless images as FAILED with an `UnsupportedImageError` description, which is
kept as the reason. Output that stops at a `nextToken` is
one page of several and is refused: a partial read must never pass as a clean image.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from ecr_guard.errors import ReportError
from ecr_guard.findings.inspector import collect_inspector_findings, single_image
from ecr_guard.findings.model import (
    Finding,
    FindingKind,
    ImageFacts,
    ReportSource,
    ScanReport,
    ScanStatus,
    Severity,
)
from ecr_guard.findings.parsing import (
    ReportFormat,
    UtcDatetime,
    cvss_version,
    report_error_from_validation,
    title_from_description,
)

SEVERITY_SOURCE = "ecr"

# status → (scan status, whether the reason should name the ECR status, which says more).
_STATUSES: dict[str, tuple[ScanStatus, bool]] = {
    "COMPLETE": (ScanStatus.COMPLETE, False),
    "ACTIVE": (ScanStatus.COMPLETE, False),
    "FAILED": (ScanStatus.FAILED, False),
    "UNSUPPORTED_IMAGE": (ScanStatus.UNSUPPORTED, False),
    "IN_PROGRESS": (ScanStatus.PENDING, False),
    "PENDING": (ScanStatus.PENDING, False),
    "SCAN_ELIGIBILITY_EXPIRED": (ScanStatus.FAILED, True),
    "FINDINGS_UNAVAILABLE": (ScanStatus.FAILED, True),
    "LIMIT_EXCEEDED": (ScanStatus.FAILED, True),
    "IMAGE_ARCHIVED": (ScanStatus.FAILED, True),
    "IMAGE_SIZE_EXCEEDED": (ScanStatus.UNSUPPORTED, True),
}
_ENHANCED_STATUS = "ACTIVE"


class _Attribute(TypedDict, total=False):
    key: str
    value: str | None


class _BasicFinding(TypedDict, total=False):
    name: Annotated[str, Field(min_length=1)]
    description: str | None
    uri: str | None
    severity: str | None
    attributes: list[_Attribute] | None


class _ScanFindings(TypedDict, total=False):
    findings: list[_BasicFinding] | None
    enhancedFindings: list[dict[str, Any]] | None
    imageScanCompletedAt: UtcDatetime | None


class _ScanStatus(TypedDict, total=False):
    status: str | None
    description: str | None


class _ImageId(TypedDict, total=False):
    imageDigest: str | None
    imageTag: str | None


class _Page(TypedDict, total=False):
    repositoryName: str | None
    imageId: _ImageId | None
    imageScanStatus: _ScanStatus | None
    imageScanFindings: _ScanFindings | None
    nextToken: str | None


_PAGE = TypeAdapter(_Page)


def report_from_scan_findings_pages(
    pages: Iterable[Mapping[str, Any]], *, origin: str
) -> ScanReport:
    """A report from every page of one image's DescribeImageScanFindings, in order.

    Pages are read one at a time, so a paginator can be passed as it is.
    """
    first: _Page | None = None
    last: _Page = {}
    findings: list[Finding] = []
    skipped: Counter[str] = Counter()
    images: list[ImageFacts] = []
    enhanced = False
    for number, raw_page in enumerate(pages, start=1):
        # Errors name the field; on later pages, the page too (`pages[1].imageScanFindings…`).
        prefix = "" if number == 1 else f"pages[{number - 1}]."
        page = _validate_page(raw_page, origin, prefix.rstrip("."))
        if first is None:
            first = page
        _check_same_image(first, page, origin, number)
        scan = page.get("imageScanFindings") or {}
        enhanced = enhanced or "enhancedFindings" in scan
        findings.extend(_basic_findings(scan, origin, prefix))
        collected = collect_inspector_findings(_enhanced_items(scan, prefix), origin=origin)
        findings.extend(collected.findings)
        skipped.update(collected.skipped)
        images.extend(collected.images)
        last = page

    if first is None:
        raise ReportError(origin, "no DescribeImageScanFindings page to read")
    if last.get("nextToken"):
        raise ReportError(
            origin,
            "the findings stop at a nextToken: this is one page of several; read every page "
            "(run the AWS CLI without --max-items, or use the boto3 paginator to the end)",
        )
    status, reason = _scan_status(first, origin)
    scan = first.get("imageScanFindings") or {}
    return ScanReport(
        source=(
            ReportSource.ECR_ENHANCED
            if enhanced or _raw_status(first) == _ENHANCED_STATUS
            else ReportSource.ECR_BASIC
        ),
        origin=origin,
        format=ReportFormat.ECR_SCAN_FINDINGS,
        status=status,
        status_reason=reason,
        created_at=scan.get("imageScanCompletedAt"),
        image=_image_facts(first, single_image(_distinct(images), origin)),
        findings=tuple(findings),
        skipped=dict(skipped),
    )


def _validate_page(raw_page: Mapping[str, Any], origin: str, prefix: str) -> _Page:
    try:
        return _PAGE.validate_python(raw_page)
    except ValidationError as error:
        raise report_error_from_validation(origin, error, prefix=prefix) from None


def _check_same_image(first: _Page, page: _Page, origin: str, number: int) -> None:
    identity = _identity(page)
    if identity != _identity(first):
        raise ReportError(
            origin, f"page {number} describes another image ({identity[0]}@{identity[1]})"
        )


def _identity(page: _Page) -> tuple[str | None, str | None]:
    return page.get("repositoryName"), (page.get("imageId") or {}).get("imageDigest")


def _enhanced_items(scan: _ScanFindings, prefix: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, item in enumerate(scan.get("enhancedFindings") or ()):
        yield f"{prefix}imageScanFindings.enhancedFindings[{index}]", item


def _raw_status(page: _Page) -> str | None:
    return (page.get("imageScanStatus") or {}).get("status")


def _scan_status(page: _Page, origin: str) -> tuple[ScanStatus, str | None]:
    scan_status = page.get("imageScanStatus") or {}
    status = scan_status.get("status")
    if not status:
        raise ReportError(
            origin,
            "imageScanStatus.status is missing: cannot tell whether the scan completed",
        )
    description = scan_status.get("description")
    known = _STATUSES.get(status)
    if known is None:
        return ScanStatus.FAILED, _join(f"unknown ECR scan status {status}", description)
    mapped, name_it = known
    return mapped, _join(status, description) if name_it else description


def _join(head: str, description: str | None) -> str:
    return f"{head}: {description}" if description else head


def _basic_findings(scan: _ScanFindings, origin: str, prefix: str) -> Iterator[Finding]:
    for index, finding in enumerate(scan.get("findings") or ()):
        location = f"{prefix}imageScanFindings.findings[{index}]"
        attributes = {
            attribute["key"]: attribute.get("value")
            for attribute in finding.get("attributes") or ()
            if "key" in attribute
        }
        score, version, vector = _basic_cvss(attributes, origin, location)
        yield Finding(
            kind=FindingKind.VULNERABILITY,
            id=finding["name"],
            severity=Severity.parse(finding.get("severity")),
            severity_source=SEVERITY_SOURCE,
            title=title_from_description(finding.get("description")),
            url=finding.get("uri"),
            package_name=attributes.get("package_name"),
            installed_version=attributes.get("package_version"),
            cvss_score=score,
            cvss_version=version,
            cvss_source=SEVERITY_SOURCE if score is not None else None,
            cvss_vector=vector,
        )


def _basic_cvss(
    attributes: dict[str, str | None], origin: str, location: str
) -> tuple[float | None, str | None, str | None]:
    for major in ("3", "2"):
        text = attributes.get(f"CVSS{major}_SCORE")
        if text:
            vector = attributes.get(f"CVSS{major}_VECTOR")
            major_version = "2.0" if major == "2" else major
            score = _score(text, origin, f"{location}.attributes.CVSS{major}_SCORE")
            return score, cvss_version(vector, major_version), vector
    return None, None, None


def _score(text: str, origin: str, location: str) -> float:
    problem = ReportError(origin, f"not a CVSS score: {text!r}", location=location)
    try:
        score = float(text)
    except ValueError:
        raise problem from None
    if not 0 <= score <= 10:  # also refuses "nan"
        raise problem
    return score


def _distinct(images: list[ImageFacts]) -> list[ImageFacts]:
    by_digest: dict[str | None, ImageFacts] = {}
    for image in images:
        by_digest.setdefault(image.digest, image)
    return list(by_digest.values())


def _image_facts(page: _Page, inspected: ImageFacts) -> ImageFacts:
    """The page names the image; Inspector's resource adds its architecture and platform."""
    image_id = page.get("imageId") or {}
    tag = image_id.get("imageTag")
    return ImageFacts(
        repository=page.get("repositoryName") or inspected.repository,
        digest=image_id.get("imageDigest") or inspected.digest,
        tags=(tag,) if tag else inspected.tags,
        architecture=inspected.architecture,
        os_family=inspected.os_family,
        os_version=inspected.os_version,
        author=inspected.author,
    )
