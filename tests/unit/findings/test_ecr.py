"""DescribeImageScanFindings: the published CLI output and boto3 pages, basic and enhanced."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ecr_guard.errors import ReportError
from ecr_guard.findings.ecr import report_from_scan_findings_pages
from ecr_guard.findings.load import read_report
from ecr_guard.findings.model import (
    FindingKind,
    FixAvailability,
    ImageFacts,
    ReportSource,
    ScanStatus,
    Severity,
)

from tests.unit.findings.samples import (
    DIGEST,
    REPOSITORY,
    VECTOR,
    basic_finding,
    enhanced_finding,
    scan_page,
)
from tests.unit.findings.summaries import only, severity_counts

ORIGIN = "ecr:team/app"


@pytest.mark.corpus
def test_published_basic_cli_output(corpus: Path) -> None:
    path = corpus / "scan-findings" / "ecr-describe-image-scan-findings-basic-cli.json"

    report = read_report(path)

    assert report.source is ReportSource.ECR_BASIC
    assert report.format == "ecr-describe-image-scan-findings"
    assert report.status is ScanStatus.COMPLETE
    assert report.status_reason == "The scan was completed successfully."
    assert report.created_at == datetime(2020, 1, 24, 4, 11, 45, tzinfo=UTC)
    assert report.image == ImageFacts(
        repository="sample-repo",
        digest="sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6",
    )
    assert severity_counts(report) == {"MEDIUM": 1}
    finding = only(report, "CVE-2019-5188")
    assert finding.kind is FindingKind.VULNERABILITY
    assert finding.severity_source == "ecr"
    assert (finding.package_name, finding.installed_version) == ("e2fsprogs", "1.44.1-1ubuntu1.1")
    assert (finding.cvss_score, finding.cvss_version) == (4.6, "2.0")
    assert finding.cvss_vector == "AV:L/AC:L/Au:N/C:P/I:P/A:P"
    assert finding.url == "http://people.ubuntu.com/~ubuntu-security/cve/CVE-2019-5188"
    assert finding.title == (
        "A code execution vulnerability exists in the directory rehashing functionality of "
        "E2fsprogs e2fsck 1.45.4."
    )
    assert finding.fix is FixAvailability.NO
    assert finding.fixed_versions == ()


def test_findings_of_every_page_are_read() -> None:
    first = scan_page(findings=[basic_finding("CVE-2024-0001", "HIGH")], nextToken="page-2")
    second = scan_page(findings=[basic_finding("CVE-2024-0002", "LOW")])

    report = report_from_scan_findings_pages(iter([first, second]), origin=ORIGIN)

    assert [finding.id for finding in report.findings] == ["CVE-2024-0001", "CVE-2024-0002"]
    assert report.image.tags == ("v1.4",)


def test_pages_that_stop_at_a_next_token_are_refused() -> None:
    cut_short = scan_page(findings=[basic_finding("CVE-2024-0001", "HIGH")], nextToken="more")

    with pytest.raises(ReportError, match="stop at a nextToken"):
        report_from_scan_findings_pages([cut_short], origin=ORIGIN)


def test_no_pages_is_refused() -> None:
    with pytest.raises(ReportError, match="no DescribeImageScanFindings page"):
        report_from_scan_findings_pages([], origin=ORIGIN)


def test_pages_of_another_image_are_refused() -> None:
    first = scan_page(findings=[], nextToken="page-2")
    other = scan_page(findings=[])
    other["imageId"] = {"imageDigest": "sha256:" + "ef" * 32}

    with pytest.raises(ReportError, match="page 2 describes another image"):
        report_from_scan_findings_pages([first, other], origin=ORIGIN)


def test_missing_scan_status_is_refused() -> None:
    page = scan_page(findings=[])
    del page["imageScanStatus"]

    with pytest.raises(ReportError, match=r"imageScanStatus\.status is missing"):
        report_from_scan_findings_pages([page], origin=ORIGIN)


@pytest.mark.parametrize(
    ("status", "expected", "reason"),
    [
        ("COMPLETE", ScanStatus.COMPLETE, "ECR said so."),
        ("ACTIVE", ScanStatus.COMPLETE, "ECR said so."),
        ("FAILED", ScanStatus.FAILED, "ECR said so."),
        ("UNSUPPORTED_IMAGE", ScanStatus.UNSUPPORTED, "ECR said so."),
        ("IN_PROGRESS", ScanStatus.PENDING, "ECR said so."),
        ("PENDING", ScanStatus.PENDING, "ECR said so."),
        ("SCAN_ELIGIBILITY_EXPIRED", ScanStatus.FAILED, "SCAN_ELIGIBILITY_EXPIRED: ECR said so."),
        ("FINDINGS_UNAVAILABLE", ScanStatus.FAILED, "FINDINGS_UNAVAILABLE: ECR said so."),
        ("LIMIT_EXCEEDED", ScanStatus.FAILED, "LIMIT_EXCEEDED: ECR said so."),
        ("IMAGE_ARCHIVED", ScanStatus.FAILED, "IMAGE_ARCHIVED: ECR said so."),
        ("IMAGE_SIZE_EXCEEDED", ScanStatus.UNSUPPORTED, "IMAGE_SIZE_EXCEEDED: ECR said so."),
        ("SOMETHING_NEW", ScanStatus.FAILED, "unknown ECR scan status SOMETHING_NEW: ECR said so."),
    ],
)
def test_scan_status_mapping(status: str, expected: ScanStatus, reason: str) -> None:
    page = scan_page(status=status, description="ECR said so.")

    report = report_from_scan_findings_pages([page], origin=ORIGIN)

    assert (report.status, report.status_reason) == (expected, reason)


def test_basic_scan_failed_on_an_unsupported_image_keeps_the_reason() -> None:
    description = (
        "UnsupportedImageError: The operating system and/or package manager are not supported."
    )
    page = scan_page(status="FAILED", description=description)

    report = report_from_scan_findings_pages([page], origin=ORIGIN)

    assert (report.status, report.status_reason) == (ScanStatus.FAILED, description)
    assert report.findings == ()


def test_status_without_description_names_the_status() -> None:
    page = scan_page(status="LIMIT_EXCEEDED", description=None)

    report = report_from_scan_findings_pages([page], origin=ORIGIN)

    assert report.status_reason == "LIMIT_EXCEEDED"


def test_basic_severity_vocabulary_maps_onto_the_scale() -> None:
    findings = [
        basic_finding("CVE-1", "INFORMATIONAL"),
        basic_finding("CVE-2", "UNDEFINED"),
        basic_finding("CVE-3", "CRITICAL"),
    ]

    report = report_from_scan_findings_pages([scan_page(findings=findings)], origin=ORIGIN)

    severities = [finding.severity for finding in report.findings]
    assert severities == [Severity.LOW, Severity.UNKNOWN, Severity.CRITICAL]


def test_cvss_3_attributes_are_preferred_to_cvss_2() -> None:
    finding = basic_finding(
        "CVE-2024-0001",
        "HIGH",
        package_name="openssl",
        package_version="3.0.11-1~deb12u2",
        CVSS2_SCORE="5.0",
        CVSS2_VECTOR="AV:N/AC:L/Au:N/C:N/I:N/A:P",
        CVSS3_SCORE="7.5",
        CVSS3_VECTOR=VECTOR,
    )

    report = report_from_scan_findings_pages([scan_page(findings=[finding])], origin=ORIGIN)

    (parsed,) = report.findings
    assert (parsed.cvss_score, parsed.cvss_version, parsed.cvss_vector) == (7.5, "3.1", VECTOR)
    assert parsed.cvss_source == "ecr"


def test_finding_without_cvss_attributes_has_no_score() -> None:
    (parsed,) = report_from_scan_findings_pages(
        [scan_page(findings=[basic_finding("CVE-2024-0001", "LOW", package_name="zlib")])],
        origin=ORIGIN,
    ).findings

    assert (parsed.cvss_score, parsed.cvss_version, parsed.cvss_source) == (None, None, None)
    assert parsed.package_name == "zlib"


@pytest.mark.parametrize("score", ["high", "11", "nan", "-1"])
def test_unreadable_cvss_score_names_the_attribute(score: str) -> None:
    finding = basic_finding("CVE-2024-0001", "HIGH", CVSS2_SCORE=score)

    with pytest.raises(ReportError) as caught:
        report_from_scan_findings_pages([scan_page(findings=[finding])], origin=ORIGIN)

    assert str(caught.value) == (
        f"ecr:team/app: imageScanFindings.findings[0].attributes.CVSS2_SCORE: "
        f"not a CVSS score: {score!r}"
    )


@pytest.mark.parametrize(
    "completed_at",
    [datetime(2024, 5, 1, 9, 3, tzinfo=UTC), 1714554180.0, "2024-05-01T11:03:00+02:00"],
)
def test_completion_time_in_every_form_the_sdk_and_cli_use(completed_at: Any) -> None:
    page = scan_page(findings=[])
    page["imageScanFindings"]["imageScanCompletedAt"] = completed_at

    report = report_from_scan_findings_pages([page], origin=ORIGIN)

    assert report.created_at == datetime(2024, 5, 1, 9, 3, tzinfo=UTC)


def test_untagged_image_has_no_tags() -> None:
    report = report_from_scan_findings_pages([scan_page(findings=[], tag=None)], origin=ORIGIN)

    assert report.image.tags == ()
    assert report.image.digest == DIGEST


def test_enhanced_findings_make_an_enhanced_report() -> None:
    page = scan_page(enhanced=[enhanced_finding()], status="ACTIVE")

    report = report_from_scan_findings_pages([page], origin=ORIGIN)

    assert report.source is ReportSource.ECR_ENHANCED
    assert report.status is ScanStatus.COMPLETE
    finding = only(report, "CVE-2024-1234")
    assert finding.severity is Severity.HIGH
    assert finding.severity_source == "inspector"
    assert (finding.cvss_score, finding.cvss_version, finding.cvss_source) == (7.5, "3.1", "NVD")
    assert finding.cvss_vector == VECTOR
    assert finding.package_name == "libssl3"
    assert finding.installed_version == "3.0.2-0ubuntu1.14"
    assert finding.fixed_versions == ("3.0.2-0ubuntu1.15",)
    assert finding.fix is FixAvailability.YES
    assert finding.exploit_available is True
    assert finding.epss == 0.0421
    assert finding.published == datetime(2024, 2, 14, 12, 0, tzinfo=UTC)


def test_enhanced_report_image_facts_add_architecture_and_platform() -> None:
    page = scan_page(enhanced=[enhanced_finding()], status="ACTIVE", tag=None)

    report = report_from_scan_findings_pages([page], origin=ORIGIN)

    assert report.image == ImageFacts(
        repository=REPOSITORY,
        digest=DIGEST,
        tags=("v1.4",),
        architecture="arm64",
        os_family="ubuntu",
        os_version="22.04",
    )


def test_empty_enhanced_list_is_still_an_enhanced_report() -> None:
    report = report_from_scan_findings_pages(
        [scan_page(enhanced=[], findings=[], status="ACTIVE")], origin=ORIGIN
    )

    assert report.source is ReportSource.ECR_ENHANCED
    assert report.findings == ()


def test_severity_counts_with_total_are_never_summed() -> None:
    page = scan_page(enhanced=[enhanced_finding(severity="UNTRIAGED")], status="ACTIVE")
    page["imageScanFindings"]["findingSeverityCounts"] = {"HIGH": 3, "UNTRIAGED": 1, "TOTAL": 9}

    report = report_from_scan_findings_pages([page], origin=ORIGIN)

    assert severity_counts(report) == {"UNKNOWN": 1}


def test_enhanced_finding_without_adjusted_score_uses_the_bare_score() -> None:
    bare = enhanced_finding(score=6.1)
    del bare["scoreDetails"]
    bare["packageVulnerabilityDetails"]["cvss"] = []

    (finding,) = report_from_scan_findings_pages(
        [scan_page(enhanced=[bare], status="ACTIVE")], origin=ORIGIN
    ).findings

    assert (finding.cvss_score, finding.cvss_version, finding.cvss_source) == (
        6.1,
        None,
        "inspector",
    )


def test_enhanced_network_reachability_finding_is_skipped() -> None:
    reachability = enhanced_finding(type="NETWORK_REACHABILITY")
    del reachability["packageVulnerabilityDetails"]

    report = report_from_scan_findings_pages(
        [scan_page(enhanced=[enhanced_finding(), reachability], status="ACTIVE")], origin=ORIGIN
    )

    assert len(report.findings) == 1
    assert report.skipped == {"network-reachability": 1}


def test_problem_on_a_later_page_names_the_page() -> None:
    first = scan_page(findings=[], nextToken="page-2")
    second = scan_page(findings=[basic_finding("CVE-2024-0002", "LOW", CVSS3_SCORE="x")])

    with pytest.raises(ReportError) as caught:
        report_from_scan_findings_pages([first, second], origin=ORIGIN)

    assert str(caught.value) == (
        "ecr:team/app: pages[1].imageScanFindings.findings[0].attributes.CVSS3_SCORE: "
        "not a CVSS score: 'x'"
    )


def test_invalid_enhanced_finding_names_its_place() -> None:
    broken = enhanced_finding(epss={"score": 2})

    with pytest.raises(ReportError) as caught:
        report_from_scan_findings_pages(
            [scan_page(enhanced=[enhanced_finding(), broken], status="ACTIVE")], origin=ORIGIN
        )

    assert str(caught.value).startswith(
        "ecr:team/app: imageScanFindings.enhancedFindings[1].epss.score: "
        "Input should be less than or equal to 1"
    )
