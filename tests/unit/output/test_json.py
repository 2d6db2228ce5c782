from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from ecr_guard import __version__
from ecr_guard.errors import ReportError
from ecr_guard.output import CheckRun
from ecr_guard.output.json import SCHEMA_FILE, check_output_schema, render_json

from tests.conftest import REPO_ROOT
from tests.unit.output.decisions import failing_decision, passing_decision


@pytest.fixture(scope="module")
def shipped_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((REPO_ROOT / SCHEMA_FILE).read_text(encoding="utf-8"))
    return loaded


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_shipped_schema_is_the_one_generated_from_the_output_model(
    shipped_schema: dict[str, Any],
) -> None:
    regenerate = (
        "python -c 'import json; from ecr_guard.output.json import check_output_schema; "
        f"print(json.dumps(check_output_schema(), indent=2))' > {SCHEMA_FILE}"
    )
    assert shipped_schema == check_output_schema(), f"schema out of date; run: {regenerate}"


def test_shipped_schema_is_a_valid_draft_2020_12_schema(shipped_schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(shipped_schema)


def test_json_output_validates_against_the_shipped_schema(shipped_schema: dict[str, Any]) -> None:
    run = CheckRun(
        (failing_decision(), passing_decision()), (ReportError("bad.json", "the file is empty"),)
    )

    document = json.loads(render_json(run))

    assert list(_validator(shipped_schema).iter_errors(document)) == []


def test_json_output_carries_version_tool_outcome_and_exit_code() -> None:
    document = json.loads(render_json(CheckRun((failing_decision(), passing_decision()))))

    assert document["schema_version"] == "1"
    assert document["tool"] == {"name": "ecr-guard", "version": __version__}
    assert document["outcome"] == "FAIL"
    assert document["exit_code"] == 1
    assert [result["verdict"] for result in document["results"]] == ["FAIL", "PASS"]
    assert document["errors"] == []


def test_json_output_keeps_every_finding_of_a_decision() -> None:
    document = json.loads(render_json(CheckRun((failing_decision(),))))

    rules = document["results"][0]["rules"]
    ids = [group["id"] for rule in rules for group in rule["findings"]]
    assert ids == ["CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003"]
    first = rules[0]["findings"][0]["occurrences"][0]
    assert first["package_name"] == "openssl"
    assert first["fixed_versions"] == ["1.1.1d-r0"]


def test_json_output_lists_unusable_reports_and_exit_code_2() -> None:
    run = CheckRun((passing_decision(),), (ReportError("bad.json", "the file is empty"),))

    document = json.loads(render_json(run))

    assert document["exit_code"] == 2
    assert document["errors"] == [
        {"source": "bad.json", "message": "the file is empty", "location": None}
    ]


def test_schema_rejects_a_document_with_an_unknown_verdict(shipped_schema: dict[str, Any]) -> None:
    document = json.loads(render_json(CheckRun((failing_decision(),))))
    document["results"][0]["verdict"] = "MAYBE"

    assert not _validator(shipped_schema).is_valid(document)
