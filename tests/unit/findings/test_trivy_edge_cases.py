"""Trivy report shapes and faults from FIELD-NOTES, on small reports written here."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from ecr_guard.errors import ReportError
from ecr_guard.findings.model import FindingKind, FixAvailability, ScanReport, Severity
from ecr_guard.findings.trivy import report_from_trivy_json

ORIGIN = "report.json"


def trivy(document: Any) -> ScanReport:
    return report_from_trivy_json(json.dumps(document).encode(), origin=ORIGIN)


def v2(*results: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"SchemaVersion": 2, "ArtifactName": "app:1", **top, "Results": list(results)}


def os_result(*vulnerabilities: dict[str, Any]) -> dict[str, Any]:
    return {
        "Target": "app:1 (debian 12.5)",
        "Class": "os-pkgs",
        "Type": "debian",
        "Vulnerabilities": list(vulnerabilities),
    }


def vuln(vulnerability_id: str = "CVE-2024-0001", **fields: Any) -> dict[str, Any]:
    return {
        "VulnerabilityID": vulnerability_id,
        "PkgName": "openssl",
        "InstalledVersion": "3.0.11-1",
        "Severity": "HIGH",
        "Title": "openssl: a flaw",
        "PrimaryURL": f"https://avd.aquasec.com/nvd/{vulnerability_id.lower()}",
        **fields,
    }


def test_vulnerabilities_null_means_no_findings() -> None:
    report = trivy(
        v2({"Target": "app:1 (debian 12.5)", "Class": "os-pkgs", "Vulnerabilities": None})
    )

    assert report.findings == ()


def test_result_without_vulnerabilities_key_means_no_findings() -> None:
    report = trivy(v2({"Target": "app:1 (debian 12.5)", "Class": "os-pkgs", "Type": "debian"}))

    assert report.findings == ()


def test_missing_results_means_no_findings() -> None:
    report = trivy({"SchemaVersion": 2, "ArtifactName": "app:1"})

    assert report.findings == ()
    assert report.format == "trivy-json"


def test_legacy_list_with_null_vulnerabilities_means_no_findings() -> None:
    report = trivy([{"Target": "app:1 (alpine 3.10.2)", "Type": "alpine", "Vulnerabilities": None}])

    assert report.findings == ()
    assert report.format == "trivy-json-legacy-list"


@pytest.mark.parametrize(
    ("schema_version", "shown"),
    [(3, "3"), ("2", '"2"'), (1, "1"), (2.0, "2.0"), (None, "null"), (True, "true")],
)
def test_unknown_schema_version_is_refused_naming_the_value(
    schema_version: object, shown: str
) -> None:
    with pytest.raises(ReportError) as caught:
        trivy({"SchemaVersion": schema_version, "Results": []})

    assert str(caught.value) == (
        f"report.json: SchemaVersion: unsupported Trivy SchemaVersion {shown}; ecr-guard reads "
        "SchemaVersion 2 (Trivy 0.20 and newer) and the older reports that have no SchemaVersion"
    )


def test_unknown_schema_version_is_reported_before_other_problems() -> None:
    with pytest.raises(ReportError, match="unsupported Trivy SchemaVersion 3;"):
        trivy({"SchemaVersion": 3, "Results": [{"NoTarget": True}]})


def test_object_without_schema_version_or_results_is_refused() -> None:
    with pytest.raises(ReportError, match="neither SchemaVersion nor Results"):
        trivy({"ArtifactName": "app:1"})


def test_empty_list_is_refused() -> None:
    with pytest.raises(ReportError, match="an empty JSON list is not a scan report"):
        trivy([])


def test_truncated_report_names_the_line() -> None:
    text = json.dumps(v2(os_result(vuln())), indent=2)
    cut = text[: text.index('"Severity"')].encode()

    with pytest.raises(ReportError) as caught:
        report_from_trivy_json(cut, origin=ORIGIN)

    lines = cut.decode().count("\n") + 1
    assert str(caught.value) == (
        f"report.json: JSON ends unexpectedly at line {lines}; the file looks truncated"
    )


def test_cvss_score_out_of_range_names_the_field() -> None:
    bad = vuln(CVSS={"nvd": {"V3Score": 11, "V3Vector": "CVSS:3.1/AV:N"}})

    with pytest.raises(ReportError) as caught:
        trivy(v2(os_result(bad)))

    assert str(caught.value) == (
        "report.json: Results[0].Vulnerabilities[0].CVSS.nvd.V3Score: "
        "Input should be less than or equal to 10 (got 11)"
    )


def test_empty_vulnerability_id_is_refused() -> None:
    with pytest.raises(ReportError, match=r"Results\[0\]\.Vulnerabilities\[0\]\.VulnerabilityID"):
        trivy(v2(os_result(vuln(""))))


def test_secret_match_and_code_are_never_kept() -> None:
    leaked = "AKIAIOSFODNN7EXAMPLE"
    secret_result = {
        "Target": "/app/.env",
        "Class": "secret",
        "Secrets": [
            {
                "RuleID": "aws-access-key-id",
                "Category": "AWS",
                "Severity": "CRITICAL",
                "Title": "AWS Access Key ID",
                "StartLine": 2,
                "EndLine": 2,
                "Code": {"Lines": [{"Number": 2, "Content": f"AWS_KEY={leaked}"}]},
                "Match": f"AWS_KEY={leaked}",
            }
        ],
    }

    report = trivy(v2(secret_result))

    (finding,) = report.findings
    assert finding.kind is FindingKind.SECRET
    assert (finding.id, finding.path, finding.line) == ("aws-access-key-id", "/app/.env", 2)
    assert leaked not in report.model_dump_json()
    assert leaked not in repr(report)


def test_secret_without_title_is_titled_by_category() -> None:
    result = {
        "Target": "key.pem",
        "Class": "secret",
        "Secrets": [
            {"RuleID": "private-key", "Category": "AsymmetricPrivateKey", "Severity": "HIGH"}
        ],
    }

    (finding,) = trivy(v2(result)).findings

    assert finding.title == "AsymmetricPrivateKey"


def test_only_failed_misconfigurations_are_findings() -> None:
    checks = [
        {"ID": "DS001", "Severity": "MEDIUM", "Status": "PASS"},
        {"ID": "DS002", "AVDID": "AVD-DS-0002", "Severity": "HIGH", "Status": "FAIL"},
        {"ID": "DS005", "Severity": "LOW", "Status": "EXCEPTION"},
    ]
    result = {
        "Target": "Dockerfile",
        "Class": "config",
        "Type": "dockerfile",
        "Misconfigurations": checks,
    }

    report = trivy(v2(result))

    assert [(f.kind, f.id, f.severity) for f in report.findings] == [
        (FindingKind.MISCONFIGURATION, "AVD-DS-0002", Severity.HIGH)
    ]


def test_misconfiguration_without_any_id_is_refused() -> None:
    result = {"Target": "Dockerfile", "Class": "config", "Misconfigurations": [{"Status": "FAIL"}]}

    with pytest.raises(ReportError, match=r"Misconfigurations\[0\]: a misconfiguration needs"):
        trivy(v2(result))


def test_missing_title_comes_from_the_first_sentence_of_the_description() -> None:
    without_title = vuln(
        Title=None,
        Description="A heap overflow in the parser. Attackers can crash it.\nMore text.",
    )

    (finding,) = trivy(v2(os_result(without_title))).findings

    assert finding.title == "A heap overflow in the parser."


def test_title_from_a_long_description_is_cut_to_200_characters() -> None:
    without_title = vuln(Title="", Description="x" * 500)

    (finding,) = trivy(v2(os_result(without_title))).findings

    assert finding.title == "x" * 199 + "…"


def test_missing_primary_url_comes_from_the_first_reference() -> None:
    without_url = vuln(
        PrimaryURL=None,
        References=["https://example.com/first", "https://example.com/second"],
    )

    (finding,) = trivy([{"Target": "foo", "Vulnerabilities": [without_url]}]).findings

    assert finding.url == "https://example.com/first"


def test_description_is_not_used_when_a_title_exists() -> None:
    titled = vuln(Description="Something else entirely. More.")

    (finding,) = trivy(v2(os_result(titled))).findings

    assert finding.title == "openssl: a flaw"


@pytest.mark.parametrize(
    ("fields", "fix"),
    [
        ({"Status": "fixed"}, FixAvailability.YES),
        ({"Status": "affected"}, FixAvailability.NO),
        ({"Status": "affected", "FixedVersion": "3.0.13-1"}, FixAvailability.YES),
        ({"Status": "will_not_fix"}, FixAvailability.NO),
        ({"Status": "end_of_life"}, FixAvailability.NO),
        ({}, FixAvailability.NO),
        ({"FixedVersion": "3.0.13-1"}, FixAvailability.YES),
        ({"FixedVersion": " , "}, FixAvailability.NO),
    ],
)
def test_fix_availability_from_status_and_fixed_version(
    fields: dict[str, str], fix: FixAvailability
) -> None:
    (finding,) = trivy(v2(os_result(vuln(**fields)))).findings

    assert finding.fix is fix


def test_fixed_versions_are_split_and_stripped() -> None:
    (finding,) = trivy(v2(os_result(vuln(FixedVersion="2.3.2, 2.2.5 ,1.9")))).findings

    assert finding.fixed_versions == ("2.3.2", "2.2.5", "1.9")


def test_not_affected_status_is_inactive_and_kept_lower_case() -> None:
    (finding,) = trivy(v2(os_result(vuln(Status="NOT_AFFECTED")))).findings

    assert finding.active is False
    assert finding.status == "not_affected"


def test_cvss_2_only_gives_version_2_0() -> None:
    only_v2 = vuln(CVSS={"nvd": {"V2Score": 5.0, "V2Vector": "AV:N/AC:L/Au:N/C:P/I:N/A:N"}})

    (finding,) = trivy(v2(os_result(only_v2))).findings

    assert (finding.cvss_score, finding.cvss_version) == (5.0, "2.0")
    assert finding.cvss_vector == "AV:N/AC:L/Au:N/C:P/I:N/A:N"


def test_cvss_3_without_vector_prefix_keeps_only_the_major_version() -> None:
    unprefixed = vuln(CVSS={"redhat": {"V3Score": 6.1}})

    (finding,) = trivy(v2(os_result(unprefixed))).findings

    assert (finding.cvss_score, finding.cvss_version, finding.cvss_source) == (6.1, "3", "redhat")


def test_other_cvss_sources_are_taken_in_name_order() -> None:
    scored = vuln(CVSS={"redhat": {"V3Score": 6.0}, "ghsa": {"V3Score": 7.0}})

    (finding,) = trivy(v2(os_result(scored))).findings

    assert (finding.cvss_source, finding.cvss_score) == ("ghsa", 7.0)


def test_severity_source_is_lower_case() -> None:
    (finding,) = trivy(v2(os_result(vuln(SeveritySource="NVD")))).findings

    assert finding.severity_source == "nvd"


def test_published_date_without_zone_is_utc() -> None:
    (finding,) = trivy(v2(os_result(vuln(PublishedDate="2024-03-01T10:00:00")))).findings

    assert finding.published == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


def test_license_file_and_unknown_classes_are_counted_as_skipped() -> None:
    report = trivy(
        v2(
            {"Target": "OS Packages", "Class": "license", "Licenses": [{}, {}]},
            {"Target": "Loose File License(s)", "Class": "license-file", "Licenses": [{}]},
            {"Target": "sbom", "Class": "future-class"},
        )
    )

    assert report.skipped == {"license": 2, "license-file": 1, "future-class": 1}
    assert report.findings == ()


def test_several_repo_digests_give_no_digest() -> None:
    metadata = {"RepoDigests": ["a/app@sha256:" + "1" * 64, "b/app@sha256:" + "2" * 64]}

    report = trivy(v2(Metadata=metadata))

    assert report.image.digest is None


def test_repo_digest_that_is_not_sha256_gives_no_digest() -> None:
    report = trivy(v2(Metadata={"RepoDigests": ["app@md5:abc"]}))

    assert report.image.digest is None


def test_repository_drops_the_registry_host_and_keeps_nested_paths() -> None:
    tags = [
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:latest",
        "localhost:5000/other:dev",
    ]

    report = trivy(v2(Metadata={"RepoTags": tags}))

    assert report.image.repository == "team/app"
    assert report.image.tags == ("1.2", "latest")


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(ReportError, match="neither a JSON object nor a list"):
        report_from_trivy_json(b"Total: 3 (HIGH: 3)", origin=ORIGIN)
