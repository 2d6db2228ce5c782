"""Inputs `ecr-guard check` cannot use: one line on stderr naming the file, exit code 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from ecr_guard.findings.load import MAX_REPORT_BYTES

from tests.unit.cli.support import ALPINE_310, SECRETS, Invoke, stderr_lines, write_policy

pytestmark = pytest.mark.corpus

TRIVY_TABLE_TEXT = """\
alpine:3.10 (alpine 3.10.2)
===========================
Total: 2 (UNKNOWN: 0, LOW: 0, MEDIUM: 2, HIGH: 0, CRITICAL: 0)

┌──────────────┬───────────────┬──────────┬───────────────────┐
│   Library    │ Vulnerability │ Severity │ Installed Version │
└──────────────┴───────────────┴──────────┴───────────────────┘
"""


def _empty(_corpus: Path, folder: Path) -> Path:
    path = folder / "empty.json"
    path.write_bytes(b"")
    return path


def _not_json(_corpus: Path, folder: Path) -> Path:
    path = folder / "notes.json"
    path.write_text("scan finished without errors\n", encoding="utf-8")
    return path


def _truncated(corpus: Path, folder: Path) -> Path:
    path = folder / "truncated.json"
    path.write_bytes((corpus / ALPINE_310).read_bytes()[:500])
    return path


def _table_text(_corpus: Path, folder: Path) -> Path:
    path = folder / "trivy-table.json"
    path.write_text(TRIVY_TABLE_TEXT, encoding="utf-8")
    return path


def _unknown_schema_version(corpus: Path, folder: Path) -> Path:
    document = json.loads((corpus / ALPINE_310).read_text(encoding="utf-8"))
    document["SchemaVersion"] = 3
    path = folder / "schema-3.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _oversized(_corpus: Path, folder: Path) -> Path:
    # A sparse file: its size is over the limit, yet it takes no room and is never read.
    path = folder / "huge.json"
    with path.open("wb") as stream:
        stream.truncate(MAX_REPORT_BYTES + 1)
    return path


def _missing(_corpus: Path, folder: Path) -> Path:
    return folder / "absent.json"


def _corpus_file(name: str) -> Callable[[Path, Path], Path]:
    def pick(corpus: Path, _folder: Path) -> Path:
        return corpus / name

    return pick


BAD_REPORTS = {
    "empty file": (_empty, "the file is empty"),
    "not JSON": (_not_json, "not JSON"),
    "truncated JSON": (_truncated, "JSON ends unexpectedly at line"),
    "Trivy table text saved as .json": (_table_text, "it looks like Trivy table output"),
    "unknown SchemaVersion": (_unknown_schema_version, "unsupported Trivy SchemaVersion 3"),
    "oversized file": (_oversized, "over the limit of 256.0 MiB"),
    "missing file": (_missing, "no such file"),
    "SARIF": (_corpus_file("trivy/golden-alpine-310.sarif.json"), "this is SARIF"),
    "CycloneDX": (
        _corpus_file("trivy/golden-npm-cyclonedx-with-vulns.json"),
        "this is a CycloneDX document",
    ),
    "ASFF": (_corpus_file("trivy/golden-alpine-310.asff.json"), "this is Trivy ASFF output"),
}


@pytest.mark.parametrize("case", BAD_REPORTS.keys())
def test_unusable_report_is_one_line_on_stderr_and_exit_code_2(
    invoke: Invoke, corpus: Path, tmp_path: Path, case: str
) -> None:
    make, expected = BAD_REPORTS[case]
    report = make(corpus, tmp_path)

    result = invoke("check", report)

    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = stderr_lines(result)
    assert line.startswith(f"ecr-guard: {report}: ")
    assert expected in line
    assert "Traceback" not in result.output


@pytest.mark.parametrize("output_format", ["json", "sarif", "markdown"])
def test_machine_formats_still_describe_a_run_where_every_report_is_unusable(
    invoke: Invoke, tmp_path: Path, output_format: str
) -> None:
    result = invoke("check", _empty(tmp_path, tmp_path), "--format", output_format)

    assert result.exit_code == 2
    assert "the file is empty" in result.stdout


def test_good_reports_are_still_rendered_when_another_is_unusable(
    invoke: Invoke, corpus: Path, tmp_path: Path
) -> None:
    empty = _empty(corpus, tmp_path)

    result = invoke("check", corpus / ALPINE_310, empty, corpus / SECRETS)

    assert result.exit_code == 2
    assert stderr_lines(result) == [f"ecr-guard: {empty}: the file is empty"]
    assert result.stdout.startswith("PASS  aquasecurity/trivy-test-images:alpine-310\n")
    assert "high-risk-secrets" in result.stdout
    assert "1 report could not be used" in result.stdout


def test_good_reports_are_in_the_json_document_and_bad_ones_in_its_errors(
    invoke: Invoke, corpus: Path, tmp_path: Path
) -> None:
    empty = _empty(corpus, tmp_path)

    result = invoke("check", corpus / SECRETS, empty, "--format", "json")

    document = json.loads(result.stdout)
    assert result.exit_code == 2
    assert document["exit_code"] == 2
    assert [entry["verdict"] for entry in document["results"]] == ["FAIL"]
    assert document["errors"] == [
        {"source": str(empty), "message": "the file is empty", "location": None}
    ]


def test_invalid_policy_stops_before_any_report_with_exit_code_2(
    invoke: Invoke, corpus: Path, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, "version: 1\nrulez: []\n")

    result = invoke("check", corpus / SECRETS, "--policy", policy)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert stderr_lines(result) == [
        f"ecr-guard: {policy}: top level (line 2): unknown key 'rulez'; did you mean 'rules'?"
    ]


def test_missing_policy_file_is_exit_code_2(invoke: Invoke, corpus: Path, tmp_path: Path) -> None:
    policy = tmp_path / "absent.yaml"

    result = invoke("check", corpus / SECRETS, "--policy", policy)

    assert result.exit_code == 2
    assert stderr_lines(result) == [f"ecr-guard: {policy}: policy file not found"]


def test_unknown_format_is_a_usage_error_with_exit_code_2(invoke: Invoke, corpus: Path) -> None:
    result = invoke("check", corpus / SECRETS, "--format", "xml")

    assert result.exit_code == 2
    assert "'xml' is not one of" in result.stderr
