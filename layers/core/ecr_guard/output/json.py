"""The JSON format of `ecr-guard check`: a versioned document with a published JSON Schema.

`schema_version` changes only when a field is removed or changes meaning; new optional fields
keep it. The schema is generated from `CheckOutput` and shipped as
docs/schemas/check-output.schema.json; a test keeps the two identical.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ecr_guard.errors import InputError
from ecr_guard.output.run import CheckRun, ExitCode
from ecr_guard.policy.decision import Decision, Verdict

SCHEMA_VERSION: Literal["1"] = "1"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "docs/schemas/check-output.schema.json"


class _Output(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ToolInfo(_Output):
    name: Literal["ecr-guard"] = "ecr-guard"
    version: str


class InputProblem(_Output):
    """An input that could not be used; its presence makes the exit code 2."""

    source: str = Field(description="The file (or other input) that could not be used.")
    message: str = Field(description="What is wrong with it.")
    location: str | None = Field(
        default=None, description="Where inside it, when known: a line, a field path."
    )


class CheckOutput(_Output):
    """The result of `ecr-guard check --format json`."""

    schema_version: Literal["1"] = Field(
        default=SCHEMA_VERSION, description="Changes only on incompatible changes."
    )
    tool: ToolInfo
    outcome: Verdict = Field(description="The worst outcome of all results; PASS when none.")
    exit_code: ExitCode = Field(
        description="0: every outcome PASS or WARN; 1: an outcome is FAIL; 2: an input could "
        "not be used (see `errors`)."
    )
    results: list[Decision] = Field(description="One decision per usable report, in input order.")
    errors: list[InputProblem] = Field(
        default_factory=list, description="One entry per report that could not be used."
    )


def build_output(run: CheckRun) -> CheckOutput:
    return CheckOutput(
        tool=ToolInfo(version=run.tool_version),
        outcome=run.outcome,
        exit_code=run.exit_code,
        results=list(run.decisions),
        errors=[_problem(error) for error in run.errors],
    )


def render_json(run: CheckRun) -> str:
    return build_output(run).model_dump_json(indent=2) + "\n"


def check_output_schema() -> dict[str, Any]:
    """The JSON Schema that every `--format json` document validates against."""
    schema = CheckOutput.model_json_schema(mode="serialization")
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "ecr-guard check output"}


def _problem(error: InputError) -> InputProblem:
    return InputProblem(source=error.source, message=error.message, location=error.location)
