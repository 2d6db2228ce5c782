from __future__ import annotations

import re
from datetime import date

from ecr_guard.errors import ReportError
from ecr_guard.findings.model import Severity
from ecr_guard.images import ImageRef
from ecr_guard.output import CheckRun
from ecr_guard.output.markdown import COMMENT_LIMIT, escape, render_markdown
from ecr_guard.policy.decision import RuleOutcome, Verdict, WaiverUse
from ecr_guard.policy.model import RuleVerdict

from tests.unit.output.decisions import (
    decision,
    failing_decision,
    passing_decision,
    vulnerability,
    waiver,
)

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _failing_with(count: int, *, image: str = "team/app") -> RuleOutcome:
    groups = tuple(
        vulnerability(
            f"CVE-2024-{index:05d}",
            Severity.CRITICAL,
            package=f"{image}-package-{index}",
            title="A long title that takes room in every row of the table " * 2,
        )
        for index in range(count)
    )
    return RuleOutcome(
        rule_id="critical-vulnerabilities",
        verdict=RuleVerdict.FAIL,
        message=f"{count} CRITICAL vulnerabilities.",
        findings=groups,
    )


def test_escape_keeps_pipes_and_backticks_from_breaking_a_table() -> None:
    assert escape("a|b `c`") == r"a\|b \`c\`"


def test_escape_turns_html_into_text() -> None:
    assert escape("<script>alert(1)</script> & co") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    )


def test_escape_breaks_links_and_images() -> None:
    escaped = escape("![x](https://evil.example/a.png) [click](http://evil.example)")

    assert "](" not in escaped.replace(r"\](", "")
    assert "https://" not in escaped
    assert "http://" not in escaped


def test_escape_stops_mentions_issue_references_and_autolinks() -> None:
    escaped = escape("@octocat fixed #12, see www.example.com or me@example.com")

    assert "@octocat" not in escaped
    assert "#12" not in escaped
    assert "www.example" not in escaped
    assert "@example.com" not in escaped
    assert escaped.startswith("@&#8203;octocat")


def test_escape_flattens_newlines_into_one_line() -> None:
    assert escape("first line\n\n| second |\r\n") == r"first line \| second \|"


def test_escaped_hostile_row_keeps_the_table_to_six_columns() -> None:
    hostile = vulnerability(
        "CVE-2024-0001|x",
        Severity.CRITICAL,
        package="pkg|`a`\n| injected | row |",
        title="<img src=x onerror=alert(1)> [link](https://evil.example) @admin",
    )
    outcome = RuleOutcome(
        rule_id="critical-vulnerabilities",
        verdict=RuleVerdict.FAIL,
        message="1 CRITICAL vulnerability.",
        findings=(hostile,),
    )

    text = render_markdown(CheckRun((decision(verdict=Verdict.FAIL, rules=(outcome,)),)))

    row = next(line for line in text.splitlines() if line.startswith("| CRITICAL |"))
    assert len(_UNESCAPED_PIPE.findall(row)) == 7
    assert "<img" not in text
    assert "@admin" not in text


def test_single_report_heading_names_verdict_and_image() -> None:
    text = render_markdown(CheckRun((failing_decision(),)))

    assert text.startswith("## ecr-guard: ❌ FAIL: team/app:1.2.3\n")


def test_failing_findings_are_a_table_and_warnings_are_collapsed() -> None:
    text = render_markdown(CheckRun((failing_decision(),)))

    assert "**Failing findings (2 findings)**" in text
    assert (
        "| CRITICAL | CVE-2024-0001 | openssl | 1.1.1c-r0 | 1.1.1d-r0 | openssl: a flaw |" in text
    )
    warnings = text.split("<details><summary>Warnings (1 finding)</summary>")[1]
    warnings = warnings.split("</details>")[0]
    assert "| HIGH | CVE-2024-0003 | openssl | 1.1.1c-r0 | no fix | no fix |" in warnings


def test_waivers_are_collapsed_with_expiry_and_reason() -> None:
    applied = WaiverUse(
        waiver=waiver("CVE-2024-0007", expires=date(2027, 3, 31)),
        findings=(vulnerability("CVE-2024-0007", Severity.CRITICAL),),
    )
    expired = WaiverUse(waiver=waiver("CVE-2024-0001", expires=date(2026, 11, 30)))
    text = render_markdown(
        CheckRun((decision(verdict=Verdict.PASS, applied=(applied,), expired=(expired,)),))
    )

    assert "<details><summary>Waivers applied (1)</summary>" in text
    assert "<details><summary>Expired waivers (1)</summary>" in text
    assert "| CVE-2024-0007 | openssl | 2027-03-31 | security@&#8203;example.com |" in text
    assert "2026-11-30" in text


def test_failing_table_is_capped_at_50_rows_with_a_count_of_the_rest() -> None:
    many = decision(verdict=Verdict.FAIL, rules=(_failing_with(120),))

    text = render_markdown(CheckRun((many,)))

    assert sum(1 for line in text.splitlines() if line.startswith("| CRITICAL |")) == 50
    assert "…and 70 more rows: run `ecr-guard check` for the full list." in text


def test_comment_stays_under_the_github_limit_for_many_large_reports() -> None:
    decisions = tuple(
        decision(
            verdict=Verdict.FAIL,
            rules=(_failing_with(30, image=f"team/app-{index}"),),
            image=ImageRef(repository=f"team/app-{index}", tags=("1",)),
        )
        for index in range(300)
    )

    text = render_markdown(CheckRun(decisions))

    assert len(text) <= COMMENT_LIMIT
    assert "more reports not shown: the comment is full." in text
    assert "### ❌ FAIL: team/app-0:1" in text


def test_several_reports_get_an_overall_heading_and_one_section_each() -> None:
    text = render_markdown(CheckRun((failing_decision(), passing_decision())))

    assert text.startswith("## ecr-guard: ❌ FAIL\n\n2 reports: 1 FAIL, 0 WARN, 1 PASS.")
    assert "### ❌ FAIL: team/app:1.2.3" in text
    assert "### ✅ PASS: team/app@&#8203;sha256:cdcd" in text


def test_unusable_report_makes_the_heading_an_error_and_is_quoted() -> None:
    run = CheckRun((passing_decision(),), (ReportError("bad.json", "the file is empty"),))

    text = render_markdown(run)

    assert text.startswith("## ecr-guard: ❌ ERROR: 1 report could not be used")
    assert "> **Could not be used:** bad.json: the file is empty" in text
