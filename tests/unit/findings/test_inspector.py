"""Amazon Inspector findings: published ListFindings output and events, and API-shaped items."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ecr_guard.errors import ReportError
from ecr_guard.findings.inspector import (
    report_from_inspector_finding,
    report_from_inspector_findings,
)
from ecr_guard.findings.load import read_report
from ecr_guard.findings.model import (
    FindingKind,
    FixAvailability,
    ImageFacts,
    ReportSource,
    ScanStatus,
    Severity,
)

from tests.unit.findings.samples import DIGEST, REPOSITORY, ecr_resource, inspector_finding

ORIGIN = "findings.json"


def package(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "version": "1.0", "packageManager": "NPM", **fields}


def with_packages(*packages: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    finding = inspector_finding(**overrides)
    finding["packageVulnerabilityDetails"]["vulnerablePackages"] = list(packages)
    return finding


@pytest.mark.corpus
def test_published_list_findings_output(corpus: Path) -> None:
    report = read_report(corpus / "scan-findings" / "inspector2-list-findings-ecr-1.json")

    assert report.source is ReportSource.INSPECTOR
    assert report.format == "inspector2-list-findings"
    assert report.status is ScanStatus.COMPLETE
    assert report.skipped == {}
    (finding,) = report.findings
    assert finding.kind is FindingKind.VULNERABILITY
    assert finding.id == "CVE-2021-3744"
    assert finding.severity is Severity.MEDIUM
    assert finding.severity_source == "inspector"
    assert finding.title == "CVE-2021-3744 - linux"
    assert (finding.package_name, finding.installed_version) == ("linux", "4.19.118-2")
    assert finding.fixed_versions == ("0:4.19.232-1",)
    assert finding.fix is FixAvailability.YES
    assert finding.package_type == "os"
    assert (finding.cvss_score, finding.cvss_version, finding.cvss_source) == (5.5, "3.1", "NVD")
    assert finding.cvss_vector == "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H"
    assert finding.exploit_available is False
    assert finding.epss == 0.00075
    assert finding.published is None
    assert finding.url == "https://security-tracker.debian.org/tracker/CVE-2021-3744"
    assert (finding.active, finding.status) == (True, "active")
    assert report.image == ImageFacts(
        repository="my-awesome-docker-image",
        digest="sha256:c667ad018b538adadb5bd1db75836c8561b23bc7d31d9cd8941fa74f5df93802",
        tags=("2.3.0",),
        architecture="amd64",
        os_family="debian",
        os_version="10",
        author="John D <johnd@demo.test>",
    )


@pytest.mark.corpus
def test_published_empty_list_findings_output(corpus: Path) -> None:
    report = read_report(corpus / "scan-findings" / "inspector2-list-findings-empty.json")

    assert report.findings == ()
    assert report.status is ScanStatus.COMPLETE
    assert report.image == ImageFacts()


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name", ["inspector2-finding-ecr-2021.json", "inspector2-finding-ecr-2021-current-page.json"]
)
def test_published_inspector_finding_events(corpus: Path, name: str) -> None:
    report = read_report(corpus / "inspector-events" / name)

    assert report.format == "inspector2-finding-event"
    (finding,) = report.findings
    assert finding.id == "CVE-2019-17498"
    assert finding.severity is Severity.MEDIUM
    assert (finding.package_name, finding.installed_version) == ("libssh2", "1.4.3-12.amzn2.2")
    assert finding.fixed_versions == ()
    assert finding.fix is FixAvailability.NO
    assert finding.exploit_available is None
    assert finding.epss is None
    assert (finding.cvss_score, finding.cvss_version, finding.cvss_source) == (
        6.5,
        "3.0",
        "REDHAT_CVE",
    )
    # The sample's human date "Oct 16, 2019, 12:00:00 AM" carries no zone: read as UTC.
    assert finding.published == datetime(2019, 10, 16, tzinfo=UTC)
    assert finding.url == "https://access.redhat.com/security/cve/CVE-2019-17498"
    assert report.image == ImageFacts(
        repository="amazon/amazon-ecs-sample",
        digest="sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5EXAMPLE",
        tags=("latest",),
        architecture="amd64",
        os_family="amazon",
        os_version="2",
    )


def test_one_finding_per_vulnerable_package() -> None:
    finding = with_packages(
        package("lodash", version="4.17.20", fixedInVersion="4.17.21", filePath="app/package.json"),
        package("lodash", version="4.17.15", fixedInVersion="NotAvailable"),
        fixAvailable="PARTIAL",
    )

    report = report_from_inspector_finding(finding, origin=ORIGIN)

    first, second = report.findings
    assert (first.installed_version, first.fixed_versions, first.fix) == (
        "4.17.20",
        ("4.17.21",),
        FixAvailability.YES,
    )
    assert (first.path, first.package_type) == ("app/package.json", "npm")
    assert (second.installed_version, second.fixed_versions, second.fix) == (
        "4.17.15",
        (),
        FixAvailability.NO,
    )


def test_finding_level_fix_applies_when_packages_do_not_say() -> None:
    finding = with_packages(package("a"), package("b"), fixAvailable="PARTIAL")

    report = report_from_inspector_finding(finding, origin=ORIGIN)

    assert [f.fix for f in report.findings] == [FixAvailability.PARTIAL, FixAvailability.PARTIAL]


def test_finding_without_packages_is_kept() -> None:
    finding = with_packages(fixAvailable="NO")

    (parsed,) = report_from_inspector_finding(finding, origin=ORIGIN).findings

    assert (parsed.id, parsed.package_name, parsed.fix) == (
        "CVE-2024-1234",
        None,
        FixAvailability.NO,
    )


def test_epoch_is_written_before_the_version() -> None:
    finding = with_packages(package("openssl", version="1.1.1k", release="9.el8", epoch=1))

    (parsed,) = report_from_inspector_finding(finding, origin=ORIGIN).findings

    assert parsed.installed_version == "1:1.1.1k-9.el8"


def test_package_url_is_kept() -> None:
    finding = with_packages(package("lodash", purl="pkg:npm/lodash@4.17.20"))

    (parsed,) = report_from_inspector_finding(finding, origin=ORIGIN).findings

    assert parsed.purl == "pkg:npm/lodash@4.17.20"


@pytest.mark.parametrize(
    ("status", "active"), [("ACTIVE", True), ("SUPPRESSED", False), ("CLOSED", False)]
)
def test_status_decides_whether_a_finding_is_active(status: str, active: bool) -> None:
    (parsed,) = report_from_inspector_finding(
        inspector_finding(status=status), origin=ORIGIN
    ).findings

    assert (parsed.active, parsed.status) == (active, status.lower())


@pytest.mark.parametrize(
    ("label", "severity"),
    [
        ("UNTRIAGED", Severity.UNKNOWN),
        ("INFORMATIONAL", Severity.LOW),
        ("CRITICAL", Severity.CRITICAL),
    ],
)
def test_inspector_severity_vocabulary(label: str, severity: Severity) -> None:
    (parsed,) = report_from_inspector_finding(
        inspector_finding(severity=label), origin=ORIGIN
    ).findings

    assert parsed.severity is severity


def test_findings_on_other_resources_are_skipped() -> None:
    ec2 = inspector_finding(resources=[{"type": "AWS_EC2_INSTANCE", "id": "i-0123456789abcdef0"}])
    function = inspector_finding(
        resources=[{"type": "AWS_LAMBDA_FUNCTION", "id": "arn:aws:lambda:fn"}]
    )

    report = report_from_inspector_findings([inspector_finding(), ec2, function], origin=ORIGIN)

    assert len(report.findings) == 1
    assert report.skipped == {"non-ecr-resource": 2}


def test_network_reachability_findings_are_skipped() -> None:
    reachability = inspector_finding(type="NETWORK_REACHABILITY")
    del reachability["packageVulnerabilityDetails"]

    report = report_from_inspector_findings([reachability], origin=ORIGIN)

    assert report.findings == ()
    assert report.skipped == {"network-reachability": 1}


def test_code_vulnerability_names_file_and_line() -> None:
    code = inspector_finding(
        type="CODE_VULNERABILITY",
        codeVulnerabilityDetails={
            "detectorId": "python/sql-injection@v1.0",
            "ruleId": "python-sql-injection",
            "filePath": {"fileName": "db.py", "filePath": "app/db.py", "startLine": 42},
            "referenceUrls": ["https://cwe.mitre.org/data/definitions/89.html"],
        },
    )
    del code["packageVulnerabilityDetails"]

    (parsed,) = report_from_inspector_finding(code, origin=ORIGIN).findings

    assert (parsed.kind, parsed.id) == (FindingKind.VULNERABILITY, "python-sql-injection")
    assert (parsed.path, parsed.line) == ("app/db.py", 42)
    assert parsed.url == "https://cwe.mitre.org/data/definitions/89.html"


def test_newest_listed_cvss_is_used_without_an_adjusted_score() -> None:
    finding = inspector_finding()
    del finding["inspectorScoreDetails"]

    (parsed,) = report_from_inspector_finding(finding, origin=ORIGIN).findings

    assert (parsed.cvss_score, parsed.cvss_version, parsed.cvss_source) == (7.5, "3.1", "NVD")


def test_bare_inspector_score_is_the_last_resort() -> None:
    finding = inspector_finding(inspectorScore=4.2)
    del finding["inspectorScoreDetails"]
    finding["packageVulnerabilityDetails"]["cvss"] = []

    (parsed,) = report_from_inspector_finding(finding, origin=ORIGIN).findings

    assert (parsed.cvss_score, parsed.cvss_version, parsed.cvss_source) == (4.2, None, "inspector")


def test_untriaged_finding_without_any_score_has_none() -> None:
    finding = inspector_finding(severity="UNTRIAGED")
    del finding["inspectorScore"]
    del finding["inspectorScoreDetails"]
    finding["packageVulnerabilityDetails"]["cvss"] = []

    (parsed,) = report_from_inspector_finding(finding, origin=ORIGIN).findings

    assert (parsed.cvss_score, parsed.cvss_source, parsed.severity) == (
        None,
        None,
        Severity.UNKNOWN,
    )


@pytest.mark.parametrize(
    ("created", "published"),
    [
        ("2024-02-02T16:30:33.045000+01:00", datetime(2024, 2, 2, 15, 30, 33, 45000, tzinfo=UTC)),
        ("Wed Sep 04 16:55:38.411 UTC 2024", datetime(2024, 9, 4, 16, 55, 38, 411000, tzinfo=UTC)),
        ("Dec 3, 2021, 6:02:30 PM", datetime(2021, 12, 3, 18, 2, 30, tzinfo=UTC)),
        ("sometime in 2021", None),
        (None, None),
    ],
)
def test_vendor_creation_date_in_any_form_or_none(
    created: str | None, published: datetime | None
) -> None:
    finding = inspector_finding()
    finding["packageVulnerabilityDetails"]["vendorCreatedAt"] = created

    (parsed,) = report_from_inspector_finding(finding, origin=ORIGIN).findings

    assert parsed.published == published


def test_first_reference_stands_in_for_a_missing_source_url() -> None:
    finding = inspector_finding()
    del finding["packageVulnerabilityDetails"]["sourceUrl"]

    (parsed,) = report_from_inspector_finding(finding, origin=ORIGIN).findings

    assert parsed.url == "https://ubuntu.com/security/CVE-2024-1234"


def test_untagged_image_has_no_tags() -> None:
    finding = inspector_finding(resources=[ecr_resource(imageTags=[])])

    report = report_from_inspector_finding(finding, origin=ORIGIN)

    assert report.image.tags == ()
    assert (report.image.repository, report.image.digest) == (REPOSITORY, DIGEST)


def test_findings_on_several_images_are_refused() -> None:
    other = inspector_finding(resources=[ecr_resource(imageHash="sha256:" + "ef" * 32)])

    with pytest.raises(ReportError, match="the findings are on 2 images"):
        report_from_inspector_findings([inspector_finding(), other], origin=ORIGIN)


def test_finding_without_vulnerability_id_names_its_place() -> None:
    broken = copy.deepcopy(inspector_finding())
    del broken["packageVulnerabilityDetails"]["vulnerabilityId"]

    with pytest.raises(ReportError) as caught:
        report_from_inspector_findings([inspector_finding(), broken], origin=ORIGIN)

    assert str(caught.value) == (
        "findings.json: findings[1]: a package vulnerability needs "
        "packageVulnerabilityDetails.vulnerabilityId"
    )


def test_enhanced_source_can_be_named() -> None:
    report = report_from_inspector_findings(
        [inspector_finding()], origin=ORIGIN, source=ReportSource.ECR_ENHANCED
    )

    assert report.source is ReportSource.ECR_ENHANCED
