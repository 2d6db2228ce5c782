"""`ecr-guard policy validate | schema | show-default`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import yaml
from ecr_guard.cli.policy_cmd import describe_policy
from ecr_guard.policy.fingerprint import policy_fingerprint
from ecr_guard.policy.load import default_policy, parse_policy, policy_schema

from tests.unit.cli.support import Invoke, stderr_lines, write_policy

TWO_SCOPES = """\
version: 1
rules:
  - id: critical-vulnerabilities
    verdict: fail
    severity: CRITICAL
rule_sets:
  - name: payments
    match:
      repositories: ["payments/*"]
    rules:
      - id: any-high
        verdict: fail
        severity: HIGH
      - id: any-medium
        verdict: warn
        severity: MEDIUM
waivers:
  - id: CVE-2024-0001
    reason: Not reachable
    approved_by: appsec@example.com
    expires: 2026-01-31
  - id: CVE-2024-0002
    reason: Fixed upstream next sprint
    approved_by: appsec@example.com
    expires: 2099-12-31
"""


def test_validate_reports_counts_and_fingerprint_of_a_valid_policy(
    invoke: Invoke, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, TWO_SCOPES)
    fingerprint = policy_fingerprint(parse_policy(TWO_SCOPES, origin="test"))

    result = invoke("policy", "validate", policy)

    assert result.exit_code == 0
    assert result.stdout == (
        f"{policy}: valid (3 rules, 1 rule set, 2 waivers (1 expired), fingerprint {fingerprint})\n"
    )
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", fingerprint)


def test_validate_prints_every_problem_of_an_invalid_policy_with_exit_code_2(
    invoke: Invoke, tmp_path: Path
) -> None:
    policy = write_policy(
        tmp_path, "version: 1\nrules:\n  - id: Bad_Id\n    verdict: maybe\n    severity: HIGH\n"
    )

    result = invoke("policy", "validate", policy)

    assert result.exit_code == 2
    assert result.stdout == ""
    lines = stderr_lines(result)
    assert lines[0] == f"ecr-guard: {policy}: 2 problems:"
    assert lines[1].startswith("  rules[0].id (line 3): 'Bad_Id' is not a kebab-case id")
    assert lines[2] == "  rules[0].verdict (line 4): 'maybe' is not one of fail, warn"


def test_validate_checks_every_file_and_fails_if_one_is_invalid(
    invoke: Invoke, tmp_path: Path
) -> None:
    good = write_policy(tmp_path, TWO_SCOPES, name="good.yaml")
    bad = write_policy(tmp_path, "version: 2\n", name="bad.yaml")

    result = invoke("policy", "validate", bad, good)

    assert result.exit_code == 2
    assert result.stdout.startswith(f"{good}: valid (3 rules")
    assert stderr_lines(result)[0].startswith(f"ecr-guard: {bad}: ")


def test_validate_of_a_missing_file_is_exit_code_2(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("policy", "validate", tmp_path / "absent.yaml")

    assert result.exit_code == 2
    assert stderr_lines(result) == [f"ecr-guard: {tmp_path / 'absent.yaml'}: policy file not found"]


def test_schema_prints_the_policy_json_schema(invoke: Invoke) -> None:
    result = invoke("policy", "schema")

    assert result.exit_code == 0
    assert json.loads(result.stdout) == policy_schema()
    assert result.stdout.startswith('{\n  "$schema": ')


def test_show_default_prints_the_built_in_policy_which_validates(
    invoke: Invoke, tmp_path: Path
) -> None:
    result = invoke("policy", "show-default")

    shipped = resources.files("ecr_guard.policy").joinpath("default.yaml").read_text()
    assert result.exit_code == 0
    assert result.stdout == shipped
    assert yaml.safe_load(result.stdout)["version"] == 1
    saved = write_policy(tmp_path, result.stdout)
    assert invoke("policy", "validate", saved).exit_code == 0


def test_describe_policy_of_the_default_policy() -> None:
    described = describe_policy(default_policy(), today=datetime(2026, 12, 3, tzinfo=UTC))

    assert described == (
        f"4 rules, 0 rule sets, 0 waivers, fingerprint {policy_fingerprint(default_policy())}"
    )
