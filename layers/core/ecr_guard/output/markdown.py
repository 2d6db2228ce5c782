"""The Markdown format: a GitHub-flavoured pull-request comment, under GitHub's size limit.

Report text (package names, titles, ids, paths) is untrusted: `escape` keeps it from breaking a
table, opening HTML, forming links or images, or mentioning people and issues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

# GitHub rejects a comment body over 65,536 characters; keep room for text a CI step wraps round.
COMMENT_LIMIT = 60_000
ROW_CAPS = (50, 20, 5, 0)
TITLE_LIMIT = 80
MESSAGE_LIMIT = 300

VERDICT_ICONS = {
    Verdict.PASS: "✅",
    Verdict.WARN: "⚠️",
    Verdict.UNKNOWN: "❔",
    Verdict.FAIL: "❌",
}
_FINDING_HEADER = "\n".join(
    (
        "| Severity | ID | Package | Installed | Fixed in | Title |",
        "| --- | --- | --- | --- | --- | --- |",
    )
)
_WAIVER_HEADER = (
    "| ID | Scope | {date} | Approved by | Reason | Findings |\n"
    "| --- | --- | --- | --- | --- | ---: |"
)

_BLOCK_SEPARATOR = "\n\n"
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_~\[\]|])")
# A zero-width space after `@`/`#`, inside `://` and after `www` stops GitHub from turning the
# text into a mention, an issue reference or an autolink, while it still reads the same.
_AUTOLINK_TRIGGERS = re.compile(r"[@#]|://|www\.", re.IGNORECASE)
_ZERO_WIDTH_SPACE = "&#8203;"


def escape(text: str | None, *, limit: int | None = None) -> str:
    """Untrusted text made safe for a table cell or a paragraph of a GitHub comment."""
    flat = clean(text, limit=limit)
    flat = flat.translate(_HTML)
    flat = _MARKDOWN_PUNCTUATION.sub(r"\\\1", flat)
    return _AUTOLINK_TRIGGERS.sub(_break_autolink, flat)


def render_markdown(run: CheckRun, *, limit: int = COMMENT_LIMIT) -> str:
    """The whole comment; finding tables shrink (and then reports drop) to stay under `limit`."""
    titled = len(run.decisions) > 1 or bool(run.errors)
    prepared = [_Prepared.of(decision) for decision in run.decisions]
    blocks: list[str] = []
    for cap in ROW_CAPS:
        blocks = [_decision(ready, cap, titled=titled) for ready in prepared]
        text = _assemble(run, blocks)
        if len(text) <= limit:
            return text
    # Even without finding tables the reports do not fit: show those that do, count the rest.
    room = limit - len(_assemble(run, [], omitted=len(blocks)))
    shown: list[str] = []
    for block in blocks:
        room -= len(block) + len(_BLOCK_SEPARATOR)
        if room < 0:
            break
        shown.append(block)
    return _assemble(run, shown, omitted=len(blocks) - len(shown))


def _assemble(run: CheckRun, blocks: list[str], omitted: int = 0) -> str:
    parts = [_heading(run), *_problems(run), *blocks]
    if omitted:
        parts.append(f"_…and {plural(omitted, 'more report')} not shown: the comment is full._")
    parts.append(f"<sub>ecr-guard {escape(run.tool_version)}</sub>")
    return _BLOCK_SEPARATOR.join(parts) + "\n"


def _heading(run: CheckRun) -> str:
    if run.errors:
        return f"## ecr-guard: ❌ ERROR: {plural(len(run.errors), 'report')} could not be used"
    if len(run.decisions) == 1:
        decision = run.decisions[0]
        return (
            f"## ecr-guard: {VERDICT_ICONS[decision.verdict]} {verdict_label(decision)}: "
            f"{escape(image_label(decision))}"
        )
    outcome = run.outcome
    counts = [
        f"{sum(1 for d in run.decisions if d.outcome is verdict)} {verdict.value}"
        for verdict in (Verdict.FAIL, Verdict.WARN, Verdict.PASS)
    ]
    return (
        f"## ecr-guard: {VERDICT_ICONS[outcome]} {outcome.value}\n\n"
        f"{plural(len(run.decisions), 'report')}: {', '.join(counts)}."
    )


def _problems(run: CheckRun) -> list[str]:
    return [
        f"> **Could not be used:** {escape(str(error), limit=MESSAGE_LIMIT)}"
        for error in run.errors
    ]


@dataclass(frozen=True)
class _Prepared:
    """A decision with its finding rows ordered once, whatever the row cap tried."""

    decision: Decision
    failing: list[FindingRow]
    warning: list[FindingRow]

    @classmethod
    def of(cls, decision: Decision) -> _Prepared:
        rows = flagged_rows(decision)
        return cls(
            decision,
            failing=collapse_copies(rows_for_verdict(decision, RuleVerdict.FAIL, rows)),
            warning=collapse_copies(rows_for_verdict(decision, RuleVerdict.WARN, rows)),
        )


def _decision(ready: _Prepared, cap: int, *, titled: bool) -> str:
    decision = ready.decision
    blocks = [escape(decision.summary, limit=MESSAGE_LIMIT)]
    if titled:
        title = f"{VERDICT_ICONS[decision.verdict]} {verdict_label(decision)}"
        blocks.insert(0, f"### {title}: {escape(image_label(decision))}")
    if decision.rules:
        blocks.append(_rules(decision))
    if ready.failing:
        table = _finding_table(ready.failing, cap)
        blocks.append(f"**Failing findings ({count_phrase(ready.failing)})**\n\n{table}")
    if ready.warning:
        table = _finding_table(ready.warning, cap)
        blocks.append(_details(f"Warnings ({count_phrase(ready.warning)})", table))
    if decision.waivers_applied:
        body = _waiver_table(decision.waivers_applied, expired=False)
        blocks.append(_details(f"Waivers applied ({len(decision.waivers_applied)})", body))
    if decision.waivers_expired:
        body = _waiver_table(decision.waivers_expired, expired=True)
        blocks.append(_details(f"Expired waivers ({len(decision.waivers_expired)})", body))
    blocks.append(_footer(decision))
    return "\n\n".join(blocks)


def _rules(decision: Decision) -> str:
    lines = ["| Verdict | Rule | Result |", "| --- | --- | --- |"]
    for outcome in decision.rules:
        lines.append(
            f"| {outcome.verdict.value.upper()} | {escape(outcome.rule_id)} | "
            f"{escape(outcome.message, limit=MESSAGE_LIMIT)} |"
        )
    return "\n".join(lines)


def _finding_line(row: FindingRow) -> str:
    return (
        f"| {row.severity.value} | {escape(row.group.id)} | {escape(row.package)} | "
        f"{escape(row.installed)} | {escape(row.fixed)} | {escape(row.title, limit=TITLE_LIMIT)} |"
    )


def _finding_table(rows: list[FindingRow], cap: int) -> str:
    if cap == 0:
        return f"_{plural(len(rows), 'finding')}: run `ecr-guard check` to list them._"
    table = "\n".join([_FINDING_HEADER, *(_finding_line(row) for row in rows[:cap])])
    if len(rows) > cap:
        table += f"\n\n_…and {len(rows) - cap} more rows: run `ecr-guard check` for the full list._"
    return table


def _waiver_table(uses: tuple[WaiverUse, ...], *, expired: bool) -> str:
    lines = [_WAIVER_HEADER.format(date="Expired" if expired else "Expires")]
    for use in uses:
        waiver = use.waiver
        scope = waiver.package or waiver.purl or waiver.path or "any package"
        occurrences = sum(len(group.occurrences) for group in use.findings)
        lines.append(
            f"| {escape(waiver.id)} | {escape(scope)} | {waiver.expires.isoformat()} | "
            f"{escape(waiver.approved_by)} | {escape(waiver.reason, limit=MESSAGE_LIMIT)} | "
            f"{occurrences} |"
        )
    return "\n".join(lines)


def _details(summary: str, body: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def _footer(decision: Decision) -> str:
    counts = decision.counts
    waived = f", {counts.waived} waived" if counts.waived else ""
    return (
        f"Totals: {plural(counts.total, 'finding')}{waived}; {severity_totals(counts)}; "
        f"{kind_totals(counts)}.\n\n"
        f"<sub>report {escape(decision.report.origin)} ({escape(decision.report.format)}) · "
        f"rule set {escape(decision.rule_set)} · "
        f"policy {escape(short_fingerprint(decision.policy_fingerprint))}</sub>"
    )


def _break_autolink(match: re.Match[str]) -> str:
    found = match.group(0)
    if found in ("@", "#"):
        return found + _ZERO_WIDTH_SPACE
    if found == "://":
        return ":" + _ZERO_WIDTH_SPACE + "//"
    return found[:-1] + _ZERO_WIDTH_SPACE + "."
