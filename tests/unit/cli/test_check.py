"""`ecr-guard check` on real reports: verdicts, exit codes, image scoping and the clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ecr_guard.cli import check as check_module

from tests.unit.cli.support import (
    ALPINE_310,
    CLEAN,
    ECR_29,
    FLASK_202,
    SECRETS,
    DerivedReport,
    Invoke,
    stderr_lines,
    vulnerabilities,
    write_policy,
)

pytestmark = pytest.mark.corpus

SCOPED_POLICY = """\
version: 1
rules:
  - id: critical-vulnerabilities
    verdict: fail
    severity: CRITICAL
rule_sets:
  - name: strict-team
    match:
      repositories: ["team/*"]
      tags: ["1.*"]
    rules:
      - id: no-medium
        verdict: fail
        severity: MEDIUM
"""

WAIVED_POLICY = """\
version: 1
rules:
  - id: fixable-high-vulnerabilities
    verdict: fail
    severity: [HIGH]
    fixable: true
waivers:
  - id: CVE-2022-23539
    package: jsonwebtoken
    reason: Tokens are verified by the gateway, not by this service
    approved_by: appsec@example.com
    expires: 2027-01-31
  - id: CVE-2022-25883
    reason: semver is only used at build time
    approved_by: appsec@example.com
    expires: 2027-01-31
"""


def test_report_with_a_critical_vulnerability_fails_with_exit_code_1(
    invoke: Invoke, corpus: Path
) -> None:
    result = invoke("check", corpus / FLASK_202)

    assert result.exit_code == 1
    assert result.stdout.startswith("FAIL  flask-api:test\n")
    assert "CVE-2025-15467" in result.stdout
    assert "3.5.4-1~deb13u2" in result.stdout
    assert "Findings that fail the image (14 findings, 24 occurrences)" in result.stdout
    assert "Totals: 99 findings; 1 CRITICAL, 15 HIGH, 48 MEDIUM, 34 LOW, 1 UNKNOWN" in (
        result.stdout
    )
    assert result.stderr == ""


def test_report_with_only_medium_vulnerabilities_passes_with_exit_code_0(
    invoke: Invoke, corpus: Path
) -> None:
    result = invoke("check", corpus / ALPINE_310)

    assert result.exit_code == 0
    assert result.stdout.startswith("PASS  aquasecurity/trivy-test-images:alpine-310\n")


def test_high_risk_secrets_fail(invoke: Invoke, corpus: Path) -> None:
    result = invoke("check", corpus / SECRETS)

    assert result.exit_code == 1
    assert "high-risk-secrets" in result.stdout
    assert "deploy.sh:3" in result.stdout
    assert "aws-access-key-id" in result.stdout


def test_fixable_high_vulnerability_fails(invoke: Invoke, corpus: Path) -> None:
    result = invoke("check", corpus / ECR_29)

    assert result.exit_code == 1
    assert result.stdout.startswith("FAIL  cilab-lifelong-api-master:8a2dad1\n")
    assert "CVE-2022-23539" in result.stdout
    assert "7.5.2, 6.3.1, 5.7.2" in result.stdout


def test_high_vulnerability_without_a_fix_only_warns_with_exit_code_0(
    invoke: Invoke, derived_report: DerivedReport
) -> None:
    def high_without_fix(document: dict[str, Any]) -> None:
        for vulnerability in vulnerabilities(document):
            vulnerability["Severity"] = "HIGH"
            vulnerability["Status"] = "affected"
            vulnerability.pop("FixedVersion", None)

    result = invoke("check", derived_report(ALPINE_310, high_without_fix))

    assert result.exit_code == 0
    assert result.stdout.startswith("WARN  aquasecurity/trivy-test-images:alpine-310\n")
    assert "unfixed-high-vulnerabilities" in result.stdout


def test_clean_image_passes(invoke: Invoke, corpus: Path) -> None:
    result = invoke("check", corpus / CLEAN)

    assert result.exit_code == 0
    assert "Totals: 0 findings" in result.stdout


def test_several_reports_are_each_evaluated_and_the_worst_sets_the_exit_code(
    invoke: Invoke, corpus: Path
) -> None:
    result = invoke("check", corpus / ALPINE_310, corpus / SECRETS)

    assert result.exit_code == 1
    assert result.stdout.startswith("PASS  aquasecurity/trivy-test-images:alpine-310\n")
    assert "FAIL  " in result.stdout
    assert "Overall: FAIL · 2 reports evaluated: 1 FAIL, 0 WARN, 1 PASS" in result.stdout


def test_repository_and_tag_options_scope_the_policy_like_the_registry_guard(
    invoke: Invoke, corpus: Path, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, SCOPED_POLICY)

    unscoped = invoke("check", corpus / ALPINE_310, "--policy", policy)
    scoped = invoke(
        "check",
        corpus / ALPINE_310,
        "--policy",
        policy,
        "--repository",
        "team/app",
        "--tag",
        "1.2.3",
    )

    assert unscoped.exit_code == 0
    assert scoped.exit_code == 1
    assert scoped.stdout.startswith("FAIL  team/app:1.2.3\n")
    assert "rule set strict-team" in scoped.stdout
    assert "no-medium" in scoped.stdout


def test_repository_without_a_tag_keeps_the_reports_tags(
    invoke: Invoke, corpus: Path, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, SCOPED_POLICY)

    result = invoke("check", corpus / ALPINE_310, "--policy", policy, "--repository", "team/app")

    # The report's own tag is alpine-310, which the strict-team rule set (tags 1.*) excludes.
    assert result.exit_code == 0
    assert result.stdout.startswith("PASS  team/app:alpine-310\n")


def test_untagged_image_is_shown_by_digest_never_as_none(
    invoke: Invoke, derived_report: DerivedReport
) -> None:
    def untagged(document: dict[str, Any]) -> None:
        document["ArtifactName"] = "./build/image"
        document["Metadata"]["RepoTags"] = []

    result = invoke("check", derived_report(CLEAN, untagged), "--repository", "team/app")

    assert result.exit_code == 0
    digest = "sha256:83508b68ad4cc406d89f3493f339a6203ddc91160fe04ad6c21f2a4c351ba54e"
    assert result.stdout.startswith(f"PASS  team/app@{digest}\n")
    assert "None" not in result.stdout


def test_tag_without_any_known_repository_is_an_input_error(invoke: Invoke, corpus: Path) -> None:
    result = invoke("check", corpus / SECRETS, "--tag", "1.2.3")

    assert result.exit_code == 2
    assert result.stderr == (
        f"ecr-guard: {corpus / SECRETS}: --tag needs a repository, and the report names none: "
        "add --repository\n"
    )


def test_now_decides_whether_a_waiver_still_applies(
    invoke: Invoke, corpus: Path, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, WAIVED_POLICY)

    before = invoke("check", corpus / ECR_29, "--policy", policy, "--now", "2027-01-31")
    after = invoke("check", corpus / ECR_29, "--policy", policy, "--now", "2027-02-01T00:00:00Z")

    assert before.exit_code == 0
    assert "Waivers applied (2)" in before.stdout
    assert after.exit_code == 1
    assert "Expired waivers (not applied) (2)" in after.stdout
    assert "2027-01-31" in after.stdout


def test_now_must_be_an_iso_date(invoke: Invoke, corpus: Path) -> None:
    result = invoke("check", corpus / ALPINE_310, "--now", "next tuesday")

    assert result.exit_code == 2
    assert "'next tuesday' is not an ISO 8601 date or time" in result.stderr


def test_parse_now_reads_dates_as_midnight_utc_and_keeps_offsets() -> None:
    assert check_module.parse_now("2027-01-31").isoformat() == "2027-01-31T00:00:00+00:00"
    assert check_module.parse_now("2027-01-31T10:00:00+02:00").isoformat() == (
        "2027-01-31T10:00:00+02:00"
    )
    assert check_module.parse_now("2027-01-31T10:00:00").isoformat() == (
        "2027-01-31T10:00:00+00:00"
    )


def test_output_option_writes_the_file_and_a_verdict_line_on_stderr(
    invoke: Invoke, corpus: Path, tmp_path: Path
) -> None:
    target = tmp_path / "ecr-guard.md"

    result = invoke("check", corpus / SECRETS, "--format", "markdown", "--output", target)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("## ecr-guard: ❌ FAIL: ")
    assert stderr_lines(result) == [
        f"{corpus / SECRETS}: FAIL: 2 secrets break rule high-risk-secrets "
        "(worst: AWS Access Key ID in deploy.sh line 3).",
        f"markdown output written to {target}",
    ]


def test_table_written_to_a_file_has_no_trailing_blanks(
    invoke: Invoke, corpus: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.txt"

    result = invoke("check", corpus / FLASK_202, "--output", target)

    text = target.read_text(encoding="utf-8")
    assert result.exit_code == 1
    assert text.startswith("FAIL  flask-api:test\n")
    assert all(line == line.rstrip() for line in text.splitlines())


def test_output_to_a_missing_folder_is_an_input_error(
    invoke: Invoke, corpus: Path, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "out.json"

    result = invoke("check", corpus / ALPINE_310, "--format", "json", "--output", target)

    assert result.exit_code == 2
    assert result.stderr == (
        f"ecr-guard: {target}: cannot write the output: No such file or directory\n"
    )


def test_unexpected_error_is_one_line_with_exit_code_3(
    invoke: Invoke, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("evaluation exploded\nwith a second line")

    monkeypatch.setattr(check_module, "evaluate", broken)

    result = invoke("check", corpus / ALPINE_310)

    assert result.exit_code == 3
    assert stderr_lines(result) == [
        "ecr-guard: internal error: RuntimeError: evaluation exploded with a second line (run "
        "with --debug or ECR_GUARD_DEBUG=1 to see the traceback, and please report it)"
    ]


@pytest.mark.parametrize("debug", [["--debug"], []])
def test_debug_lets_an_unexpected_error_through_with_its_traceback(
    invoke: Invoke, corpus: Path, monkeypatch: pytest.MonkeyPatch, debug: list[str]
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("evaluation exploded")

    monkeypatch.setattr(check_module, "evaluate", broken)
    env = {} if debug else {"ECR_GUARD_DEBUG": "1"}

    result = invoke(*debug, "check", corpus / ALPINE_310, "--now", "2026-12-03", env=env)

    assert isinstance(result.exception, RuntimeError)
    assert str(result.exception) == "evaluation exploded"


def test_version_prints_the_package_version(invoke: Invoke) -> None:
    from ecr_guard import __version__

    result = invoke("--version")

    assert result.exit_code == 0
    assert result.stdout == f"ecr-guard {__version__}\n"
