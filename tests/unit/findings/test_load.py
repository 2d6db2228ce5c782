"""Telling a report's kind from its content, and one clear line for everything else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ecr_guard.errors import ReportError, UnsupportedFormatError
from ecr_guard.findings.load import SNIFF_BYTES, parse_report, read_report
from ecr_guard.findings.model import ReportSource

from tests.unit.findings.samples import inspector_finding, scan_page

TRIVY_HINT = "run trivy with --format json"

SUPPORTED = {
    "scan-findings/ecr-describe-image-scan-findings-basic-cli.json": (
        "ecr-describe-image-scan-findings"
    ),
    "scan-findings/inspector2-list-findings-ecr-1.json": "inspector2-list-findings",
    "scan-findings/inspector2-list-findings-empty.json": "inspector2-list-findings",
    "inspector-events/inspector2-finding-ecr-2021.json": "inspector2-finding-event",
    "inspector-events/inspector2-finding-ecr-2021-current-page.json": "inspector2-finding-event",
}

UNSUPPORTED = {
    "trivy/golden-alpine-310.asff.json": (
        "Trivy ASFF output (AWS Security Finding Format)",
        TRIVY_HINT,
    ),
    "trivy/golden-secrets.asff.json": (
        "Trivy ASFF output (AWS Security Finding Format)",
        TRIVY_HINT,
    ),
    "trivy/golden-alpine-310.sarif.json": ("SARIF", TRIVY_HINT),
    "trivy/trivy-action-config-scan.sarif.json": ("SARIF", TRIVY_HINT),
    "trivy/golden-fluentd-cyclonedx-sbom-large.json": ("a CycloneDX document", TRIVY_HINT),
    "trivy/golden-npm-cyclonedx-with-vulns.json": ("a CycloneDX document", TRIVY_HINT),
    "scan-findings/securityhub-asff-inspector-ecr-7.json": (
        "AWS Security Hub findings (ASFF, as GetFindings returns them)",
        "read the source instead: `aws inspector2 list-findings` output for Inspector, "
        f"or for Trivy {TRIVY_HINT}",
    ),
    "scan-findings/ecr-describe-images-cli.json": (
        "ECR DescribeImages output",
        "its scan summary is not the findings; use `aws ecr describe-image-scan-findings` output",
    ),
    "scan-findings/inspector2-list-coverage-ec2-cli.json": (
        "Inspector ListCoverage output",
        "coverage says whether an image is scanned, not what was found; use "
        "`aws inspector2 list-findings` output",
    ),
}

EVENTS_WITHOUT_FINDINGS = {
    "inspector-events/inspector2-coverage-ec2.json": "Inspector2 Coverage",
    "inspector-events/inspector2-scan-ecr-initial-2021.json": "Inspector2 Scan",
    "inspector-events/inspector2-scan-lambda-initial-negative.json": "Inspector2 Scan",
    "ecr-events/image-action-delete-success.json": "ECR Image Action",
    "ecr-events/image-action-push-success.json": "ECR Image Action",
    "ecr-events/image-action-restore-update-storage-class.json": "ECR Image Action",
    "ecr-events/image-scan-basic-complete-docs.json": "ECR Image Scan",
    "ecr-events/referrer-action-restore.json": "ECR Referrer Action",
    "ecr-events/replication-action-failed.json": "ECR Replication Action",
    "ecr-events/replication-action-success.json": "ECR Replication Action",
    "ecr-events/scan-resource-change-frequency.json": "ECR Scan Resource Change",
}


def write(tmp_path: Path, content: bytes | str, name: str = "report.json") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def refused(path: Path, **options: Any) -> ReportError:
    with pytest.raises(ReportError) as caught:
        read_report(path, **options)
    assert "\n" not in str(caught.value)
    return caught.value


@pytest.mark.corpus
@pytest.mark.parametrize("folder", ["scan-findings", "inspector-events"])
def test_every_aws_corpus_file_has_expectations(corpus: Path, folder: str) -> None:
    names = {f"{folder}/{path.name}" for path in (corpus / folder).iterdir()}
    known = set(SUPPORTED) | set(UNSUPPORTED) | set(EVENTS_WITHOUT_FINDINGS)
    assert names <= known
    assert names


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(SUPPORTED))
def test_supported_aws_outputs_are_recognised(corpus: Path, name: str) -> None:
    report = read_report(corpus / name)

    assert report.format == SUPPORTED[name]
    assert report.origin == str(corpus / name)


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_other_formats_are_named_with_a_hint(corpus: Path, name: str) -> None:
    format_name, hint = UNSUPPORTED[name]

    error = refused(corpus / name)

    assert isinstance(error, UnsupportedFormatError)
    assert error.format_name == format_name
    assert str(error) == (
        f"{corpus / name}: this is {format_name}, not a supported scan report; {hint}"
    )


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(EVENTS_WITHOUT_FINDINGS))
def test_events_without_findings_are_not_reports(corpus: Path, name: str) -> None:
    error = refused(corpus / name)

    assert str(error) == (
        f"{corpus / name}: this is an EventBridge event ({EVENTS_WITHOUT_FINDINGS[name]!r}), "
        "not a scan report; only 'Inspector2 Finding' events carry findings"
    )


@pytest.mark.corpus
def test_published_invalid_json_names_line_and_column(corpus: Path) -> None:
    path = corpus / "ecr-events" / "pull-through-cache-action.published-invalid-json.txt"

    error = refused(path)

    assert str(error) == f"{path}: not valid JSON at line 20 column 5: trailing comma"


@pytest.mark.corpus
def test_image_manifest_is_not_a_report(corpus: Path) -> None:
    path = corpus / "manifests" / "oci-image-index-multiarch.json"

    error = refused(path)

    assert str(error) == (
        f"{path}: not a scan report ecr-guard reads (top-level keys: schemaVersion, mediaType, "
        "manifests, annotations); expected Trivy JSON, ECR describe-image-scan-findings or "
        "Inspector list-findings output"
    )


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, b"")

    assert str(refused(path)) == f"{path}: the file is empty"


def test_whitespace_only_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, " \n\t\n")

    assert str(refused(path)) == f"{path}: the file holds only whitespace"


@pytest.mark.parametrize(
    "table",
    [
        "\nalpine:3.10 (alpine 3.10.2)\n===========================\n"
        "Total: 4 (UNKNOWN: 0, LOW: 0, MEDIUM: 4, HIGH: 0, CRITICAL: 0)\n\n"
        "┌──────────────┬────────────────┬──────────┐\n"
        "│   Library    │ Vulnerability  │ Severity │\n",
        "+---------+------------------+----------+\n"
        "| LIBRARY | VULNERABILITY ID | SEVERITY |\n"
        "+---------+------------------+----------+\n",
    ],
)
def test_trivy_table_text_saved_as_json_gets_the_hint(tmp_path: Path, table: str) -> None:
    path = write(tmp_path, table)

    assert str(refused(path)) == (
        f"{path}: not JSON; it looks like Trivy table output, {TRIVY_HINT}"
    )


def test_other_text_is_not_json(tmp_path: Path) -> None:
    path = write(tmp_path, "<html><body>Bad gateway</body></html>")

    assert str(refused(path)) == f"{path}: not JSON"


def test_single_json_value_is_not_a_report(tmp_path: Path) -> None:
    path = write(tmp_path, '"all clear"')

    assert str(refused(path)) == f"{path}: the JSON is a single string, not a scan report"


def test_truncated_small_report_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '{\n  "SchemaVersion": 2,\n  "Results": [\n    {"Target": "a"')

    assert str(refused(path)) == (
        f"{path}: JSON ends unexpectedly at line 4; the file looks truncated"
    )


def large_trivy_report(count: int) -> str:
    vulnerability = {
        "VulnerabilityID": "CVE-2024-0001",
        "PkgName": "openssl",
        "InstalledVersion": "3.0.11-1",
        "Severity": "HIGH",
        "Title": "openssl: a flaw",
        "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-0001",
        "Description": "A flaw. " * 20,
    }
    results = [{"Target": "app", "Class": "os-pkgs", "Vulnerabilities": [vulnerability] * count}]
    return json.dumps({"SchemaVersion": 2, "Results": results}, indent=2)


def test_large_trivy_report_is_recognised_from_its_top(tmp_path: Path) -> None:
    text = large_trivy_report(400)
    assert len(text) > SNIFF_BYTES

    report = read_report(write(tmp_path, text))

    assert len(report.findings) == 400


def test_truncated_large_report_names_the_line(tmp_path: Path) -> None:
    text = large_trivy_report(400)
    cut = text[: len(text) // 2]
    cut = cut[: cut.rindex('"Severity"')]
    path = write(tmp_path, cut)

    assert str(refused(path)) == (
        f"{path}: JSON ends unexpectedly at line {cut.count(chr(10)) + 1}; the file looks truncated"
    )


def test_kind_is_found_beyond_the_top_when_it_must_be(tmp_path: Path) -> None:
    finding = {"description": "x" * (SNIFF_BYTES + 10), **inspector_finding()}
    text = json.dumps({"findings": [finding]}, default=str)

    report = read_report(write(tmp_path, text))

    assert report.format == "inspector2-list-findings"
    assert len(report.findings) == 1


def test_unrecognised_json_names_its_top_level_keys(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"vulnerabilities": [], "summary": {}}))

    assert str(refused(path)) == (
        f"{path}: not a scan report ecr-guard reads (top-level keys: vulnerabilities, summary); "
        "expected Trivy JSON, ECR describe-image-scan-findings or Inspector list-findings output"
    )


def test_json_list_that_is_not_trivy_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps([{"id": "CVE-2024-0001"}]))

    assert str(refused(path)) == (
        f"{path}: a JSON list that is not a Trivy report (its first entry has no Target)"
    )


def test_unknown_trivy_schema_version_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"SchemaVersion": 3, "Results": []}))

    assert "unsupported Trivy SchemaVersion 3;" in str(refused(path))


def test_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, large_trivy_report(10))
    size = path.stat().st_size

    error = refused(path, max_bytes=1024)

    assert str(error) == (
        f"{path}: the file is {size / 1048576:.1f} MiB ({size} bytes), over the limit of "
        "0.0 MiB (1024 bytes)"
    )


def test_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"

    assert str(refused(path)) == f"{path}: no such file"


def test_directory_is_refused(tmp_path: Path) -> None:
    assert str(refused(tmp_path)) == f"{tmp_path}: this is a directory, not a report file"


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + json.dumps({"SchemaVersion": 2}).encode())

    assert read_report(path).findings == ()


def test_utf16_text_is_refused_with_advice(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"SchemaVersion": 2}).encode("utf-16"))

    assert "the file is UTF-16 text" in str(refused(path))


@pytest.mark.parametrize("token", ["NextToken", "nextToken"])
def test_list_findings_cut_short_by_the_cli_is_refused(tmp_path: Path, token: str) -> None:
    text = json.dumps({"findings": [inspector_finding()], token: "eyJ..."}, default=str)

    assert "it is one page of several" in str(refused(write(tmp_path, text)))


def test_ecr_cli_output_cut_short_is_refused(tmp_path: Path) -> None:
    text = json.dumps(scan_page(findings=[], NextToken="eyJ..."), default=str)

    assert "it is one page of several" in str(refused(write(tmp_path, text)))


def test_single_inspector_finding_object_is_recognised() -> None:
    data = json.dumps(inspector_finding(), default=str).encode()

    report = parse_report(data, origin="finding.json")

    assert report.format == "inspector2-finding"
    assert report.source is ReportSource.INSPECTOR
    assert [finding.id for finding in report.findings] == ["CVE-2024-1234"]


def test_inspector_event_without_detail_object_is_refused() -> None:
    event = {"detail-type": "Inspector2 Finding", "source": "aws.inspector2", "detail": None}

    with pytest.raises(ReportError) as caught:
        parse_report(json.dumps(event).encode(), origin="event.json")

    assert str(caught.value) == "event.json: detail: the event has no detail object"
