from __future__ import annotations

from ecr_guard.findings.model import NO_FIX, Severity
from ecr_guard.images import ImageRef
from ecr_guard.output.rows import (
    collapse_copies,
    count_phrase,
    flagged_rows,
    image_label,
)
from ecr_guard.policy.decision import RuleOutcome, Verdict
from ecr_guard.policy.model import RuleVerdict

from tests.unit.output.decisions import decision, failing_decision, secret, vulnerability


def test_rows_list_failing_findings_before_warnings_worst_severity_first() -> None:
    rows = flagged_rows(failing_decision())

    assert [(row.verdict, row.group.id) for row in rows] == [
        (RuleVerdict.FAIL, "CVE-2024-0001"),
        (RuleVerdict.FAIL, "CVE-2024-0002"),
        (RuleVerdict.WARN, "CVE-2024-0003"),
    ]


def test_rows_order_equal_severities_by_cvss_score() -> None:
    low_score = vulnerability("CVE-2024-1000", Severity.HIGH, cvss=7.1)
    high_score = vulnerability("CVE-2024-2000", Severity.HIGH, cvss=8.8)
    medium = vulnerability("CVE-2024-0500", Severity.MEDIUM, cvss=9.9)
    outcome = RuleOutcome(
        rule_id="all",
        verdict=RuleVerdict.FAIL,
        message="m",
        findings=(medium, low_score, high_score),
    )

    rows = flagged_rows(decision(verdict=Verdict.FAIL, rules=(outcome,)))

    assert [row.group.id for row in rows] == ["CVE-2024-2000", "CVE-2024-1000", "CVE-2024-0500"]


def test_finding_behind_two_rules_is_listed_once_with_the_strictest_verdict() -> None:
    group = vulnerability("CVE-2024-0001", Severity.HIGH)
    warn = RuleOutcome(
        rule_id="warn-high", verdict=RuleVerdict.WARN, message="m", findings=(group,)
    )
    fail = RuleOutcome(
        rule_id="fail-high", verdict=RuleVerdict.FAIL, message="m", findings=(group,)
    )

    rows = flagged_rows(decision(verdict=Verdict.FAIL, rules=(warn, fail)))

    assert len(rows) == 1
    assert rows[0].verdict is RuleVerdict.FAIL
    assert rows[0].rule_ids == ("warn-high", "fail-high")


def test_unfixed_vulnerability_shows_no_fix_and_a_secret_shows_its_file_and_line() -> None:
    unfixed = vulnerability("CVE-2024-0003", Severity.HIGH, fixed=())
    leaked = secret("aws-access-key-id", Severity.CRITICAL, path="app/config.py", line=12)
    outcome = RuleOutcome(
        rule_id="r", verdict=RuleVerdict.FAIL, message="m", findings=(unfixed, leaked)
    )

    rows = {
        row.group.id: row for row in flagged_rows(decision(verdict=Verdict.FAIL, rules=(outcome,)))
    }

    assert rows["CVE-2024-0003"].fixed == NO_FIX
    assert rows["aws-access-key-id"].package == "app/config.py:12"
    assert rows["aws-access-key-id"].fixed == ""


def test_image_label_of_an_untagged_image_is_repo_at_digest() -> None:
    digest = "sha256:" + "0f" * 32
    untagged = decision(verdict=Verdict.PASS, image=ImageRef(repository="team/app", digest=digest))

    assert image_label(untagged) == f"team/app@{digest}"


def test_image_label_without_an_image_is_the_report_origin() -> None:
    assert image_label(decision(verdict=Verdict.PASS, origin="scan.json")) == "scan.json"


def test_same_package_at_two_paths_collapses_into_one_row_with_a_count() -> None:
    first = vulnerability("CVE-2026-24049", Severity.HIGH, package="wheel", path="a/METADATA")
    second = vulnerability("CVE-2026-24049", Severity.HIGH, package="wheel", path="b/METADATA")
    group = first.model_copy(update={"occurrences": first.occurrences + second.occurrences})
    outcome = RuleOutcome(rule_id="r", verdict=RuleVerdict.FAIL, message="m", findings=(group,))
    rows = flagged_rows(decision(verdict=Verdict.FAIL, rules=(outcome,)))

    collapsed = collapse_copies(rows)

    assert len(rows) == 2
    assert [row.package for row in collapsed] == ["wheel (2 copies)"]
    assert count_phrase(collapsed) == "1 finding, 2 occurrences"
