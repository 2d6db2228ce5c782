"""Every published Trivy JSON report in the corpus, with numbers counted from the raw files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ecr_guard.findings.load import read_report
from ecr_guard.findings.model import (
    FindingKind,
    FixAvailability,
    ImageFacts,
    ReportSource,
    ScanReport,
    ScanStatus,
    Severity,
)

from tests.unit.findings.summaries import (
    fixable_count,
    inactive_count,
    kind_counts,
    only,
    severity_counts,
)

pytestmark = pytest.mark.corpus


@dataclass(frozen=True)
class Expected:
    kinds: dict[str, int]
    severities: dict[str, int]
    fixable: int = 0
    inactive: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    format: str = "trivy-json"


# Counted with jq from each file: Vulnerabilities, Secrets and FAIL Misconfigurations by
# Severity; fixable = FixedVersion set or Status "fixed"; inactive = Status "not_affected".
TRIVY_REPORTS = {
    "defectdojo-all-vuln-statuses.json": Expected(
        {"vulnerability": 8}, {"LOW": 8}, fixable=1, inactive=1
    ),
    "defectdojo-misconfig-and-secrets.json": Expected(
        {"vulnerability": 2, "secret": 2, "misconfiguration": 1},
        {"HIGH": 2, "MEDIUM": 1, "CRITICAL": 2},
        fixable=2,
    ),
    "defectdojo-no-vulns-minimal.json": Expected({}, {}),
    "golden-alpine-310.json": Expected({"vulnerability": 4}, {"MEDIUM": 4}, fixable=4),
    "golden-alpine-39-no-results-key.json": Expected({}, {}),
    "golden-amazon-linux-2.json": Expected(
        {"vulnerability": 2}, {"MEDIUM": 1, "LOW": 1}, fixable=2
    ),
    "golden-debian-stretch.json": Expected(
        {"vulnerability": 5}, {"LOW": 1, "MEDIUM": 4}, fixable=4
    ),
    "golden-dockerfile-misconfig.json": Expected({"misconfiguration": 1}, {"HIGH": 1}),
    "golden-helm-18-misconfigs.json": Expected(
        {"misconfiguration": 18}, {"HIGH": 3, "LOW": 11, "MEDIUM": 4}
    ),
    "golden-legacy-object-no-schemaversion.json": Expected(
        {"vulnerability": 1}, {"HIGH": 1}, fixable=1, format="trivy-json-legacy-object"
    ),
    "golden-legacy-v1-list.json": Expected(
        {"vulnerability": 1}, {"HIGH": 1}, fixable=1, format="trivy-json-legacy-list"
    ),
    "golden-licenses-from-sbom.json": Expected({}, {}, skipped={"license": 3}),
    "golden-secrets.json": Expected({"secret": 2}, {"CRITICAL": 1, "HIGH": 1}),
    "golden-sle-micro-empty-result.json": Expected({}, {}),
    "golden-spring4shell-jre8.json": Expected(
        {"vulnerability": 1}, {"LOW": 1}, fixable=1, skipped={"custom": 2}
    ),
    "real-clean-image-trivy-0.69.3.json": Expected({}, {}),
    "real-ecr-image-29-vulns.json": Expected(
        {"vulnerability": 29}, {"HIGH": 2, "LOW": 4, "MEDIUM": 23}, fixable=29
    ),
    "real-ecr-image-trivy-0.69-2-vulns.json": Expected(
        {"vulnerability": 2}, {"CRITICAL": 1, "HIGH": 1}, fixable=2
    ),
    "real-flask-api-202-vulns-trivy-0.70.json": Expected(
        {"vulnerability": 202},
        {"CRITICAL": 3, "HIGH": 27, "MEDIUM": 90, "LOW": 81, "UNKNOWN": 1},
        fixable=99,
    ),
    "real-fueltime-74-vulns-with-packages.json": Expected(
        {"vulnerability": 74}, {"CRITICAL": 3, "HIGH": 16, "MEDIUM": 55}, fixable=47
    ),
    "real-image-licenses-alpine-3.15.json": Expected({}, {}, skipped={"license": 20}),
}

# Outputs of other formats, refused by test_load.py.
NOT_TRIVY_JSON = {
    "golden-alpine-310.asff.json",
    "golden-alpine-310.sarif.json",
    "golden-fluentd-cyclonedx-sbom-large.json",
    "golden-npm-cyclonedx-with-vulns.json",
    "golden-secrets.asff.json",
    "trivy-action-config-scan.sarif.json",
}


def trivy_report(corpus: Path, name: str) -> ScanReport:
    return read_report(corpus / "trivy" / name)


def test_every_trivy_corpus_file_has_expectations(corpus: Path) -> None:
    names = {path.name for path in (corpus / "trivy").iterdir()}
    assert names == set(TRIVY_REPORTS) | NOT_TRIVY_JSON


@pytest.mark.parametrize("name", sorted(TRIVY_REPORTS))
def test_trivy_report_counts_match_the_raw_file(corpus: Path, name: str) -> None:
    expected = TRIVY_REPORTS[name]
    report = trivy_report(corpus, name)

    assert report.source is ReportSource.TRIVY
    assert report.status is ScanStatus.COMPLETE
    assert report.format == expected.format
    assert kind_counts(report) == expected.kinds
    assert severity_counts(report) == expected.severities
    assert fixable_count(report) == expected.fixable
    assert inactive_count(report) == expected.inactive
    assert report.skipped == expected.skipped


def test_each_vulnerability_status_maps_to_fix_and_activity(corpus: Path) -> None:
    report = trivy_report(corpus, "defectdojo-all-vuln-statuses.json")

    by_status = {finding.status: finding for finding in report.findings}
    assert set(by_status) == {
        "unknown",
        "not_affected",
        "affected",
        "fixed",
        "under_investigation",
        "will_not_fix",
        "fix_deferred",
        "end_of_life",
    }
    # "fixed" without a FixedVersion still means a fix exists; no other status does here.
    assert [status for status, f in by_status.items() if f.fix is FixAvailability.YES] == ["fixed"]
    assert [status for status, f in by_status.items() if not f.active] == ["not_affected"]


def test_fixed_status_finding_fields(corpus: Path) -> None:
    report = trivy_report(corpus, "defectdojo-all-vuln-statuses.json")

    finding = only(report, "CVE-2018-1000876")
    assert finding.package_name == "binutils"
    assert finding.installed_version == "2.31.1-16"
    assert finding.fixed_versions == ()
    assert finding.fix is FixAvailability.YES
    assert finding.severity is Severity.LOW
    assert finding.severity_source == "debian"
    # debian graded the severity but gave no CVSS, so NVD's score is used.
    assert (finding.cvss_score, finding.cvss_version, finding.cvss_source) == (7.8, "3.1", "nvd")
    assert finding.cvss_vector == "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"
    assert finding.published == datetime(2018, 12, 20, 17, 29, 1, 33000, tzinfo=UTC)
    assert finding.url == "https://avd.aquasec.com/nvd/cve-2018-1000876"
    assert finding.package_type == "debian"
    assert finding.target == "noppaknopsta/example-app:main-159 (debian 10.13)"


def test_cvss_3_0_vector_gives_version_3_0(corpus: Path) -> None:
    report = trivy_report(corpus, "defectdojo-all-vuln-statuses.json")

    finding = only(report, "CVE-2018-12697")
    assert (finding.cvss_score, finding.cvss_version) == (7.5, "3.0")
    assert finding.status == "under_investigation"
    assert finding.fix is FixAvailability.NO


def test_vulnerability_without_cvss_keeps_its_url(corpus: Path) -> None:
    report = trivy_report(corpus, "defectdojo-all-vuln-statuses.json")

    finding = only(report, "TEMP-0841856-B18BAF")
    assert finding.cvss_score is None
    assert finding.cvss_version is None
    assert finding.published is None
    assert finding.url == "https://security-tracker.debian.org/tracker/TEMP-0841856-B18BAF"
    assert finding.title == "[Privilege escalation possible to other user than root]"


def test_cvss_4_of_the_grading_source_wins(corpus: Path) -> None:
    report = trivy_report(corpus, "real-flask-api-202-vulns-trivy-0.70.json")

    finding = only(report, "CVE-2023-30861")
    assert finding.package_name == "Flask"
    assert finding.installed_version == "2.0.1"
    assert finding.fixed_versions == ("2.3.2", "2.2.5")
    assert finding.fix is FixAvailability.YES
    assert finding.severity is Severity.HIGH
    assert finding.severity_source == "ghsa"
    assert (finding.cvss_score, finding.cvss_version, finding.cvss_source) == (8.7, "4.0", "ghsa")
    assert finding.cvss_vector == (
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"
    )
    assert finding.package_type == "python-pkg"
    assert finding.path == "usr/local/lib/python3.9/site-packages/Flask-2.0.1.dist-info/METADATA"
    assert finding.purl == "pkg:pypi/flask@2.0.1"
    assert finding.target == "Python"
    assert finding.published == datetime(2023, 5, 2, 18, 15, 52, 373000, tzinfo=UTC)
    assert finding.title == (
        "flask: Possible disclosure of permanent session cookie due to missing Vary: Cookie header"
    )


def test_ungraded_vulnerability_is_unknown_with_no_source(corpus: Path) -> None:
    report = trivy_report(corpus, "real-flask-api-202-vulns-trivy-0.70.json")

    finding = only(report, "CVE-2026-2219")
    assert finding.severity is Severity.UNKNOWN
    assert finding.severity_source is None
    assert finding.cvss_score is None
    assert finding.fixed_versions == ("1.22.22",)
    assert finding.purl == "pkg:deb/debian/dpkg@1.22.21?arch=amd64&distro=debian-13.1"


def test_lang_package_cve_in_two_installations_stays_two_findings(corpus: Path) -> None:
    report = trivy_report(corpus, "real-flask-api-202-vulns-trivy-0.70.json")

    paths = {finding.path for finding in report.findings if finding.id == "CVE-2026-24049"}
    assert paths == {
        "usr/local/lib/python3.9/site-packages/setuptools/_vendor/wheel-0.45.1.dist-info/METADATA",
        "usr/local/lib/python3.9/site-packages/wheel-0.45.1.dist-info/METADATA",
    }


def test_os_package_cve_in_three_packages_stays_three_findings(corpus: Path) -> None:
    report = trivy_report(corpus, "real-ecr-image-29-vulns.json")

    packages = sorted(f.package_name or "" for f in report.findings if f.id == "CVE-2023-42363")
    assert packages == ["busybox", "busybox-binsh", "ssl_client"]


def test_nvd_score_is_used_when_the_grading_source_has_none(corpus: Path) -> None:
    report = trivy_report(corpus, "golden-amazon-linux-2.json")

    finding = only(report, "CVE-2019-5481")
    assert finding.severity_source == "amazon"
    assert (finding.cvss_score, finding.cvss_source, finding.cvss_version) == (9.8, "nvd", "3.1")
    assert finding.fixed_versions == ("7.61.1-12.amzn2.0.1",)


def test_other_source_is_used_when_neither_grader_nor_nvd_scored(corpus: Path) -> None:
    report = trivy_report(corpus, "real-ecr-image-trivy-0.69-2-vulns.json")

    finding = only(report, "CVE-2026-32767")
    assert finding.severity is Severity.CRITICAL
    assert finding.severity_source is None
    assert (finding.cvss_score, finding.cvss_source, finding.cvss_version) == (9.8, "ghsa", "3.1")
    assert finding.published is None


def test_legacy_list_report_reads_its_vulnerability(corpus: Path) -> None:
    report = trivy_report(corpus, "golden-legacy-v1-list.json")

    finding = only(report, "CVE-2020-0001")
    assert finding.package_name == "foo"
    assert finding.installed_version == "1.2.3"
    assert finding.fixed_versions == ("3.4.5",)
    assert finding.fix is FixAvailability.YES
    assert finding.status is None
    assert finding.title == "foobar"
    assert finding.url == "https://avd.aquasec.com/nvd/cve-2020-0001"
    assert finding.target == "foojson"
    assert report.image == ImageFacts()


def test_legacy_object_reads_its_top_level_image_fields(corpus: Path) -> None:
    report = trivy_report(corpus, "golden-legacy-object-no-schemaversion.json")

    assert report.image.repository == "test"
    assert report.image.tags == ("latest",)
    assert report.image.digest == (
        "sha256:0bd0e9e03a022c3b0226667621da84fc9bf562a9056130424b5bfbd8bcb0397f"
    )


def test_secret_findings_name_rule_file_and_line(corpus: Path) -> None:
    report = trivy_report(corpus, "golden-secrets.json")

    finding = only(report, "aws-access-key-id")
    assert finding.kind is FindingKind.SECRET
    assert finding.severity is Severity.CRITICAL
    assert finding.title == "AWS Access Key ID"
    assert (finding.path, finding.line) == ("deploy.sh", 3)
    custom = only(report, "mysecret")
    assert (custom.severity, custom.title, custom.line) == (Severity.HIGH, "My Secret", 7)


def test_secret_match_and_code_text_is_not_kept(corpus: Path) -> None:
    report = trivy_report(corpus, "golden-secrets.json")

    dumped = report.model_dump_json()
    assert "export AWS_ACCESS_KEY_ID" not in dumped
    assert "ghp_0123456789" not in dumped
    assert "echo ****" not in dumped


def test_misconfiguration_fields(corpus: Path) -> None:
    report = trivy_report(corpus, "defectdojo-misconfig-and-secrets.json")

    finding = only(report, "DS002")
    assert finding.kind is FindingKind.MISCONFIGURATION
    assert finding.severity is Severity.HIGH
    assert finding.title == "Image user should not be 'root'"
    assert finding.url == "https://avd.aquasec.com/misconfig/ds002"
    assert finding.status == "fail"
    assert (finding.path, finding.line) == ("Dockerfile", None)


def test_misconfiguration_line_comes_from_cause_metadata(corpus: Path) -> None:
    report = trivy_report(corpus, "golden-helm-18-misconfigs.json")

    lines = sorted(f.line or 0 for f in report.findings if f.id == "KSV-0118")
    assert lines == [17, 19]
    assert only(report, "KSV-0110").line == 4
    assert only(report, "KSV-0117").line is None
    assert only(report, "KSV-0110").path == "testchart.tar.gz:templates/pod.yaml"


def test_image_facts_of_a_golden_image_report(corpus: Path) -> None:
    report = trivy_report(corpus, "golden-alpine-310.json")

    assert report.image == ImageFacts(
        artifact_name="testdata/fixtures/images/alpine-310.tar.gz",
        os_family="alpine",
        os_version="3.10.2",
        os_end_of_life=True,
        size_bytes=5843968,
        architecture="amd64",
        repository="aquasecurity/trivy-test-images",
        tags=("alpine-310",),
    )
    assert report.scanner_version == "dev"
    assert report.created_at == datetime(2021, 8, 25, 12, 20, 30, tzinfo=UTC)


def test_image_facts_of_an_ecr_image_report(corpus: Path) -> None:
    report = trivy_report(corpus, "real-ecr-image-trivy-0.69-2-vulns.json")

    assert report.image.repository == "online-boutique/adservice"
    assert report.image.tags == ("0.0.2", "54438b17", "latest")
    assert report.image.digest is None
    assert report.image.size_bytes == 266877952
    assert report.scanner_version == "0.69.1"


def test_single_repo_digest_becomes_the_digest(corpus: Path) -> None:
    report = trivy_report(corpus, "real-fueltime-74-vulns-with-packages.json")

    assert report.image.digest == (
        "sha256:f80ade9b5f051db78001cc581eeb7ee92ffd417f3f72b182f0355ef4f782a08e"
    )
    assert report.created_at == datetime(2026, 3, 2, 15, 6, 51, 856541, tzinfo=UTC)


def test_empty_repo_tag_and_digest_strings_are_not_facts(corpus: Path) -> None:
    report = trivy_report(corpus, "defectdojo-all-vuln-statuses.json")

    assert report.image.tags == ()
    assert report.image.repository is None
    assert report.image.digest is None
    assert report.image.artifact_name is None


def test_no_operating_system_is_not_a_family(corpus: Path) -> None:
    report = trivy_report(corpus, "golden-alpine-39-no-results-key.json")

    assert report.image.os_family is None
    assert report.image.os_version is None
    assert report.findings == ()


def test_creation_time_with_offset_is_stored_in_utc(corpus: Path) -> None:
    report = trivy_report(corpus, "real-flask-api-202-vulns-trivy-0.70.json")

    assert report.created_at == datetime(2026, 4, 18, 12, 15, 48, 630167, tzinfo=UTC)
    assert report.created_at.tzinfo is UTC
