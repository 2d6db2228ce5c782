from __future__ import annotations

import io
import re
from datetime import date

import pytest
from ecr_guard.findings.model import ScanStatus, Severity
from ecr_guard.images import ImageRef
from ecr_guard.output import CheckRun, OutputFormat, write_output
from ecr_guard.output.table import render_table_text
from ecr_guard.policy.decision import RuleOutcome, Verdict, WaiverUse
from ecr_guard.policy.model import RuleVerdict

from tests.unit.output.decisions import (
    decision,
    failing_decision,
    passing_decision,
    vulnerability,
    waiver,
)

_COLOUR_CODE = re.compile(r"\x1b\[[0-9;]*(?:3[0-8]|9[0-7])m")


class _Terminal(io.StringIO):
    """A stream that says it is a terminal, as a developer's shell is."""

    def isatty(self) -> bool:
        return True


def _many_findings(count: int) -> RuleOutcome:
    groups = tuple(
        vulnerability(f"CVE-2024-{index:05d}", Severity.HIGH, package=f"package-{index}")
        for index in range(count)
    )
    return RuleOutcome(
        rule_id="fixable-high-vulnerabilities",
        verdict=RuleVerdict.FAIL,
        message=f"{count} HIGH vulnerabilities with a fix.",
        findings=groups,
    )


def test_table_shows_verdict_rules_findings_totals_and_summary() -> None:
    text = render_table_text(CheckRun((failing_decision(),)), width=120)

    assert text.splitlines()[0] == "FAIL  team/app:1.2.3"
    rule_lines = [line.split() for line in text.splitlines() if line.startswith(("FAIL ", "WARN "))]
    assert rule_lines[1][:3] == ["FAIL", "critical-vulnerabilities", "2"]
    assert rule_lines[2][:3] == ["WARN", "unfixed-high-vulnerabilities", "1"]
    assert "Findings that fail the image (2 findings)" in text
    assert "Findings that warn (1 finding)" in text
    assert "CVE-2024-0002   zlib      1.2.11      1.1.1d-r0" in text
    assert "no fix" in text
    assert "Totals: 3 findings; 2 CRITICAL, 1 HIGH, 0 MEDIUM, 0 LOW, 0 UNKNOWN" in text
    assert "team/app:1.2.3 fails the policy: 1 rule failed." in text


def test_table_of_an_untagged_image_names_it_by_digest_never_none() -> None:
    text = render_table_text(CheckRun((passing_decision(),)), width=120)

    assert text.startswith("PASS  team/app@sha256:cdcd")
    assert "None" not in text


def test_table_with_zero_findings_has_totals_but_no_finding_tables() -> None:
    text = render_table_text(CheckRun((passing_decision(),)), width=120)

    assert "Totals: 0 findings" in text
    assert "Findings that" not in text


def test_table_lists_every_one_of_250_findings() -> None:
    many = decision(verdict=Verdict.FAIL, rules=(_many_findings(250),))

    text = render_table_text(CheckRun((many,)), width=120)

    assert "Findings that fail the image (250 findings)" in text
    assert sum(1 for line in text.splitlines() if "CVE-2024-" in line and "HIGH" in line) == 250


def test_table_fits_100_columns() -> None:
    long_title = vulnerability(
        "CVE-2024-9999",
        Severity.CRITICAL,
        package="github.com/some-organisation/some-very-long-module-name/v24",
        installed="v24.0.0-20240101000000-0123456789ab",
        fixed=("v24.0.9", "v25.0.1"),
        title="A very long title " * 10,
    )
    outcome = RuleOutcome(
        rule_id="critical-vulnerabilities",
        verdict=RuleVerdict.FAIL,
        message="1 CRITICAL vulnerability.",
        findings=(long_title,),
    )

    text = render_table_text(
        CheckRun((decision(verdict=Verdict.FAIL, rules=(outcome,)),)), width=100
    )

    assert max(len(line) for line in text.splitlines()) <= 100
    assert "CVE-2024-9999" in text


def test_table_prints_report_text_literally_without_markup_or_control_codes() -> None:
    hostile = vulnerability(
        "CVE-2024-0001",
        Severity.CRITICAL,
        package="[bold red]pkg[/bold red]",
        title="evil\x1b]0;pwned\x07 title\nsecond line",
    )
    outcome = RuleOutcome(
        rule_id="critical-vulnerabilities",
        verdict=RuleVerdict.FAIL,
        message="1 CRITICAL vulnerability.",
        findings=(hostile,),
    )

    text = render_table_text(
        CheckRun((decision(verdict=Verdict.FAIL, rules=(outcome,)),)), width=160
    )

    assert "[bold red]pkg[/bold red]" in text
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "evil ]0;pwned title second line" in text


def test_table_lists_applied_and_expired_waivers_with_dates_and_reasons() -> None:
    waived = vulnerability("CVE-2024-0007", Severity.CRITICAL)
    applied = WaiverUse(
        waiver=waiver("CVE-2024-0007", expires=date(2027, 3, 31)), findings=(waived,)
    )
    expired = WaiverUse(waiver=waiver("CVE-2024-0001", expires=date(2026, 11, 30)))
    with_waivers = decision(verdict=Verdict.PASS, applied=(applied,), expired=(expired,))

    text = render_table_text(CheckRun((with_waivers,)), width=160)

    assert "Waivers applied (1)" in text
    assert "Expired waivers (not applied) (1)" in text
    assert "2027-03-31" in text
    assert "2026-11-30" in text
    assert "Not reachable: the service never parses untrusted certificates" in text
    assert "security@example.com" in text


def test_table_shows_how_an_unknown_verdict_is_handled_and_why() -> None:
    unknown = decision(
        verdict=Verdict.UNKNOWN,
        outcome=Verdict.WARN,
        status=ScanStatus.FAILED,
        image=ImageRef(repository="team/distroless", tags=("1",)),
        summary="team/distroless:1 has no usable scan.",
    )

    text = render_table_text(CheckRun((unknown,)), width=120)

    assert text.startswith("UNKNOWN (handled as WARN)  team/distroless:1")
    assert "Scan FAILED: no reason given" in text


def test_table_ends_with_an_overall_line_for_several_reports() -> None:
    text = render_table_text(CheckRun((failing_decision(), passing_decision())), width=120)

    assert text.rstrip().splitlines()[-1] == (
        "Overall: FAIL · 2 reports evaluated: 1 FAIL, 0 WARN, 1 PASS"
    )


def test_table_on_a_terminal_is_coloured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)
    terminal = _Terminal()

    write_output(CheckRun((failing_decision(),)), OutputFormat.TABLE, terminal)

    assert _COLOUR_CODE.search(terminal.getvalue())


def test_table_honours_no_color_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = _Terminal()

    write_output(CheckRun((failing_decision(),)), OutputFormat.TABLE, terminal)

    # NO_COLOR forbids colour; bold and dim are not colours and may stay.
    assert not _COLOUR_CODE.search(terminal.getvalue())
    assert "FAIL  team/app:1.2.3" in re.sub(r"\x1b\[[0-9;]*m", "", terminal.getvalue())


def test_table_written_to_a_pipe_has_no_colour_and_piped_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)
    pipe = io.StringIO()

    write_output(CheckRun((failing_decision(),)), OutputFormat.TABLE, pipe)

    assert "\x1b[" not in pipe.getvalue()
    assert max(len(line) for line in pipe.getvalue().splitlines()) <= 120
