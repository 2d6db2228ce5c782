"""The terminal format: a verdict line per image, the rules that fired and the findings behind them.

Every piece of report text is wrapped in `Text` (never parsed as rich markup) and stripped of
control characters, so a package name or a title cannot restyle or drive the terminal.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ecr_guard.findings.model import ScanStatus, Severity
from ecr_guard.output.rows import (
    FindingRow,
    collapse_copies,
    count_phrase,
    flagged_rows,
    image_label,
    rows_for_verdict,
)
from ecr_guard.output.run import CheckRun
from ecr_guard.output.text import (
    clean,
    kind_totals,
    plural,
    severity_totals,
    short_fingerprint,
    verdict_label,
)
from ecr_guard.policy.decision import Decision, Verdict, WaiverUse
from ecr_guard.policy.model import RuleVerdict

TITLE_LIMIT = 60
TITLE_MIN = 12
PACKAGE_WIDTH = 30
VERSION_WIDTH = 20

VERDICT_STYLES = {
    Verdict.PASS: "bold green",
    Verdict.WARN: "bold yellow",
    Verdict.UNKNOWN: "bold magenta",
    Verdict.FAIL: "bold red",
}
RULE_VERDICT_STYLES = {RuleVerdict.FAIL: "bold red", RuleVerdict.WARN: "bold yellow"}
SEVERITY_STYLES = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.UNKNOWN: "dim",
}
_SECTION_TITLES = {
    RuleVerdict.FAIL: "Findings that fail the image",
    RuleVerdict.WARN: "Findings that warn",
}


def print_table(run: CheckRun, console: Console) -> None:
    """Print every decision of the run, then an overall line when there is more than one input."""
    for index, decision in enumerate(run.decisions):
        if index:
            console.rule(style="dim")
        console.print(render_decision(decision))
    if len(run.decisions) + len(run.errors) > 1:
        console.print(_overall(run))


def render_decision(decision: Decision) -> RenderableType:
    parts: list[RenderableType] = [_header(decision), _origin(decision)]
    if decision.report.status is not ScanStatus.COMPLETE:
        reason = clean(decision.report.status_reason) or "no reason given"
        parts.append(Text(f"Scan {decision.report.status.value}: {reason}", style="magenta"))
    if decision.rules:
        parts.extend([Text(""), _rules(decision)])
    flagged = flagged_rows(decision)
    for verdict in RuleVerdict:
        rows = collapse_copies(rows_for_verdict(decision, verdict, flagged))
        if rows:
            parts.extend([Text(""), _findings(rows, verdict)])
    parts.extend([Text(""), _totals(decision)])
    if decision.waivers_applied:
        parts.extend([Text(""), _waivers(decision.waivers_applied, expired=False)])
    if decision.waivers_expired:
        parts.extend([Text(""), _waivers(decision.waivers_expired, expired=True)])
    parts.extend([Text(""), Text(clean(decision.summary), style="bold")])
    return Group(*parts)


def _header(decision: Decision) -> Text:
    header = Text()
    header.append(verdict_label(decision), style=VERDICT_STYLES[decision.verdict])
    header.append("  ")
    header.append(clean(image_label(decision)), style="bold")
    return header


def _origin(decision: Decision) -> Text:
    report = decision.report
    mode = f", mode {decision.mode.value}" if decision.mode else ""
    fingerprint = short_fingerprint(decision.policy_fingerprint)
    return Text(
        f"report {clean(report.origin)} ({clean(report.format)}) · rule set "
        f"{clean(decision.rule_set)}{mode} · policy {fingerprint}",
        style="dim",
    )


def _rules(decision: Decision) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for outcome in decision.rules:
        grid.add_row(
            Text(outcome.verdict.value.upper(), style=RULE_VERDICT_STYLES[outcome.verdict]),
            Text(outcome.rule_id),
            Text(clean(outcome.message)),
        )
    return grid


def _findings(rows: list[FindingRow], verdict: RuleVerdict) -> Table:
    table = Table(
        title=f"{_SECTION_TITLES[verdict]} ({count_phrase(rows)})",
        title_justify="left",
        title_style=RULE_VERDICT_STYLES[verdict],
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        expand=True,
    )
    # Ids and versions are what a developer acts on, so they keep their width; the title
    # takes what is left and is cut short with an ellipsis.
    table.add_column("Severity", no_wrap=True)
    table.add_column("ID", no_wrap=True)
    table.add_column("Package", overflow="fold", max_width=PACKAGE_WIDTH)
    table.add_column("Installed", overflow="fold", max_width=VERSION_WIDTH)
    table.add_column("Fixed in", overflow="fold", max_width=VERSION_WIDTH)
    table.add_column("Title", overflow="ellipsis", no_wrap=True, ratio=1, min_width=TITLE_MIN)
    for row in rows:
        table.add_row(
            Text(row.severity.value, style=SEVERITY_STYLES[row.severity]),
            Text(clean(row.group.id)),
            Text(clean(row.package)),
            Text(clean(row.installed)),
            Text(clean(row.fixed), style="dim" if not row.occurrence.fixed_versions else ""),
            Text(clean(row.title, limit=TITLE_LIMIT)),
        )
    return table


def _totals(decision: Decision) -> Text:
    counts = decision.counts
    extra = [f"{counts.waived} waived"] if counts.waived else []
    if counts.inactive:
        extra.append(f"{counts.inactive} inactive")
    tail = f" ({', '.join(extra)})" if extra else ""
    return Text(
        f"Totals: {plural(counts.total, 'finding')}{tail}; {severity_totals(counts)}; "
        f"{kind_totals(counts)}"
    )


def _waivers(uses: tuple[WaiverUse, ...], *, expired: bool) -> Table:
    title = "Expired waivers (not applied)" if expired else "Waivers applied"
    table = Table(
        title=f"{title} ({len(uses)})",
        title_justify="left",
        title_style="bold yellow" if expired else "bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("ID", no_wrap=True)
    table.add_column("Scope", overflow="fold")
    table.add_column("Expired" if expired else "Expires", no_wrap=True)
    table.add_column("Approved by", overflow="fold")
    table.add_column("Reason", overflow="fold", ratio=3)
    table.add_column("Findings", justify="right")
    for use in uses:
        waiver = use.waiver
        scope = waiver.package or waiver.purl or waiver.path or "any package"
        occurrences = sum(len(group.occurrences) for group in use.findings)
        table.add_row(
            Text(clean(waiver.id)),
            Text(clean(scope)),
            Text(waiver.expires.isoformat(), style="yellow" if expired else ""),
            Text(clean(waiver.approved_by)),
            Text(clean(waiver.reason)),
            Text(str(occurrences)),
        )
    return table


def _overall(run: CheckRun) -> Text:
    line = Text()
    line.append(f"Overall: {run.outcome.value}", style=VERDICT_STYLES[run.outcome])
    by_verdict = [
        f"{sum(1 for d in run.decisions if d.outcome is verdict)} {verdict.value}"
        for verdict in (Verdict.FAIL, Verdict.WARN, Verdict.PASS)
    ]
    line.append(f" · {plural(len(run.decisions), 'report')} evaluated: {', '.join(by_verdict)}")
    if run.errors:
        line.append(f" · {plural(len(run.errors), 'report')} could not be used", style="bold red")
    return line


def render_table_text(run: CheckRun, *, width: int) -> str:
    """The table as plain text (no colour), for `--output FILE`."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system=None, force_terminal=False, highlight=False
    )
    print_table(run, console)
    # Table cells are padded to the column width; a file has no use for trailing blanks.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
