"""A decision as a Slack Block Kit message, within Slack's limits.

Slack refuses a message with more than 50 blocks, a section text over 3,000 characters or a
header over 150 (`invalid_blocks`). The message says what happened to which image and what to
do: header, summary, facts, what changed, rules fired, the worst findings with their fixes and
links, then the steps (waiver entry, release command). Long lists end with "and N more".
Rendered from the notification's JSON body, so Slack, email and machines say the same thing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from ecr_guard.findings.model import Severity
from ecr_guard.guard.advice import distinct_rows, fix_text, next_steps
from ecr_guard.guard.email_text import change_sentences
from ecr_guard.guard.notification import NotificationV1, NotifiedFinding
from ecr_guard.guard.outcome import ActionKind
from ecr_guard.guard.subject_line import action_phrase
from ecr_guard.images import short_digest
from ecr_guard.notify.mrkdwn import code, code_block, escape, link, plain, plain_text
from ecr_guard.policy.decision import Verdict

MAX_BLOCKS = 50
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
FIELD_LIMIT = 2000
MAX_FIELDS = 10
CONTEXT_LIMIT = 2000
FALLBACK_LIMIT = 300
SLACK_FINDINGS = 15
"""Findings listed in Slack; the email lists 20, the JSON body as many as fit."""
_MAX_RULES = 10
_MAX_FINDING_SECTIONS = 3
_LINE_LIMIT = 600
_EMOJI = {
    Verdict.FAIL: ":no_entry:",
    Verdict.UNKNOWN: ":grey_question:",
    Verdict.WARN: ":warning:",
    Verdict.PASS: ":white_check_mark:",
}
_SEVERITY_ORDER = sorted(Severity, key=lambda level: level.rank, reverse=True)

Block = dict[str, Any]


def render_slack(body: NotificationV1) -> dict[str, Any]:
    """The webhook payload: `text` (shown in notifications) and `blocks`."""
    rows = distinct_rows(body.rules)
    blocks: list[Block] = [_header(body), _section(plain(body.summary, SECTION_LIMIT))]
    blocks.append(_facts(body))
    blocks += _changes(body)
    blocks += _rules(body)
    blocks += _findings(body, rows)
    blocks += _steps(body, rows)
    blocks.append(_footer(body))
    return {"text": _fallback(body), "blocks": fit_blocks(blocks)}


def fit_blocks(blocks: list[Block], limit: int = MAX_BLOCKS) -> list[Block]:
    """At most `limit` blocks: the tail gives way (the footer is kept), with a note."""
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 2]
    note = _context(f"_and {len(blocks) - len(kept) - 1} more blocks not shown_")
    return [*kept, note, blocks[-1]]


def _header(body: NotificationV1) -> Block:
    label = body.verdict.value
    if body.verdict is Verdict.UNKNOWN and body.outcome is not Verdict.UNKNOWN:
        label += f" as {body.outcome.value}"
    phrase = action_phrase(body.action, body.mode)
    text = " ".join(
        part for part in (_EMOJI[body.verdict], label, body.image.display, phrase) if part
    )
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": plain_text(text, HEADER_LIMIT), "emoji": True},
    }


def _facts(body: NotificationV1) -> Block:
    image = body.image
    facts = [
        ("Image", code(image.repository, 300)),
        ("Tags", ", ".join(code(tag, 128) for tag in image.tags[:10]) or "_untagged_"),
        ("Digest", code(short_digest(image.digest), 40) if image.digest else "_unknown_"),
        ("Team", _team(body)),
        ("Mode", body.mode.value),
        ("Action", _action(body)),
        ("Pushed by", plain(image.pusher, 200)),
        ("Scanner", f"{body.source.value} ({body.report.status.value})"),
        ("Previous", body.previous_verdict.value if body.previous_verdict else ""),
    ]
    fields = [
        {"type": "mrkdwn", "text": _cut(f"*{name}*\n{value}", FIELD_LIMIT)}
        for name, value in facts
        if value
    ]
    return {"type": "section", "fields": fields[:MAX_FIELDS]}


def _changes(body: NotificationV1) -> list[Block]:
    changes = body.changes
    if changes is None:
        return []
    lines = [plain(sentence, 500) for sentence in change_sentences(changes)]
    for label, ids, total in (
        ("New failing", changes.new_failing, changes.new_failing_total),
        ("No longer failing", changes.no_longer_failing, changes.no_longer_failing_total),
    ):
        if total:
            listed = ", ".join(code(found, 100) for found in ids)
            more = f" and {total - len(ids)} more" if total > len(ids) else ""
            lines.append(f"*{label} ({total}):* {listed}{more}")
    return _sections("*What changed*", lines, max_sections=1, more=_more_lines)


def _rules(body: NotificationV1) -> list[Block]:
    if not body.rules:
        return []
    lines = [
        f"`{rule.verdict.value.upper()}` {code(rule.id, 64)} {plain(rule.message, 400)}"
        for rule in body.rules[:_MAX_RULES]
    ]
    hidden = len(body.rules) - _MAX_RULES + body.omitted.rules
    blocks = _sections("*Rules fired*", lines, max_sections=1, more=_more_rules)
    if hidden > 0:
        blocks.append(_context(f"_and {hidden} more rules_"))
    return blocks


def _findings(body: NotificationV1, rows: list[NotifiedFinding]) -> list[Block]:
    if not rows:
        return []
    shown = rows[:SLACK_FINDINGS]
    hidden = Counter(row.severity for row in rows[SLACK_FINDINGS:])
    hidden.update({level: count for level, count in body.omitted.by_severity.items() if count})
    title = f"*Findings, worst first ({len(shown)} of {len(shown) + hidden.total()})*"
    listed: list[str] = []

    def more(left: int) -> str:
        return _more_findings(hidden + Counter(row.severity for row in shown[len(shown) - left :]))

    blocks = _sections(
        title,
        [_finding_line(row) for row in shown],
        max_sections=_MAX_FINDING_SECTIONS,
        more=more,
        kept=listed,
    )
    if hidden and len(listed) == len(shown):
        blocks.append(_context(_more_findings(hidden)))
    return blocks


def _finding_line(row: NotifiedFinding) -> str:
    where = code(row.location, 120)
    version = code(row.installed, 60)
    fixed = fix_text(row)
    fix = code(fixed, 120) if row.fixed else plain(fixed, 60)
    change = f"{version} → {fix}" if version and fix else version or fix
    parts = [f"*{row.severity.value}*", link(row.url, code(row.id, 100)), where, change]
    return _cut(" ".join(part for part in parts if part), _LINE_LIMIT)


def _steps(body: NotificationV1, rows: list[NotifiedFinding]) -> list[Block]:
    blocks: list[Block] = []
    for number, step in enumerate(next_steps(body, rows, shown=SLACK_FINDINGS)):
        # The steps are ecr-guard's own sentences (their `code` spans are meant); only the
        # lines to copy hold report text, and the code block escapes them.
        text = escape(step.text)
        heading = "*What to do*\n" if number == 0 else ""
        if step.code:
            text += "\n" + code_block(step.code)
        blocks.append(_section(_cut(heading + text, SECTION_LIMIT)))
    return blocks


def _footer(body: NotificationV1) -> Block:
    parts = [
        f"rule set {code(body.rule_set, 64)}",
        f"policy {code(short_digest(body.policy_fingerprint), 40)}",
        f"judged {body.evaluated_at.strftime('%Y-%m-%d %H:%M UTC')}",
    ]
    if body.event_id:
        parts.append(f"event {code(body.event_id, 100)}")
    return _context(" · ".join(parts))


def _fallback(body: NotificationV1) -> str:
    phrase = action_phrase(body.action, body.mode)
    text = " ".join(part for part in (body.verdict.value, body.image.display, phrase) if part)
    return f"ecr-guard: {plain(text, FALLBACK_LIMIT)}"


def _team(body: NotificationV1) -> str:
    team = plain(body.team, 100) or "unknown"
    route = body.route
    if route and route.slack_channel:
        team += f" ({plain(route.slack_channel, 80)})"
    return team


def _action(body: NotificationV1) -> str:
    action = body.action
    if action.kind is ActionKind.NONE:
        return "none"
    phrase = plain(action_phrase(action, body.mode), 100)
    if action.failed:
        phrase += f": {plain(action.error, 300)}"
    if action.tags_removed and action.performed:
        phrase += " (removed " + ", ".join(code(tag, 128) for tag in action.tags_removed[:5]) + ")"
    return phrase


# --- sections within Slack's limits ------------------------------------------------------------


def _sections(
    title: str,
    lines: Sequence[str],
    *,
    max_sections: int,
    more: Callable[[int], str],
    kept: list[str] | None = None,
) -> list[Block]:
    """`lines` under `title`, packed into at most `max_sections` sections of at most 3,000
    characters; when they do not all fit, the last line says how many are left out."""
    sections: list[list[str]] = [[title]]
    kept = [] if kept is None else kept
    for index, line in enumerate(lines):
        left_after = len(lines) - index - 1
        reserve = len(more(left_after + 1)) + 1 if left_after else 0
        current = sections[-1]
        if _length(current) + len(line) + 1 + reserve <= SECTION_LIMIT:
            current.append(line)
            kept.append(line)
            continue
        if len(sections) < max_sections:
            sections.append([line])
            kept.append(line)
            continue
        current.append(more(len(lines) - index))
        break
    return [_section("\n".join(section)) for section in sections if section]


def _length(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _more_lines(left: int) -> str:
    return f"_and {left} more_"


def _more_rules(left: int) -> str:
    return f"_and {left} more rules_"


def _more_findings(left: Counter[Severity]) -> str:
    levels = ", ".join(f"{left[level]} {level.value}" for level in _SEVERITY_ORDER if left[level])
    return (
        f"_and {left.total()} more ({levels}): the email and the JSON message list more; "
        "`ecr-guard check` on the report lists them all_"
    )


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SECTION_LIMIT)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(text, CONTEXT_LIMIT)}]}


def _cut(text: str, limit: int) -> str:
    """`text` within `limit` characters; an entity or a code span is not left open."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    if cut.count("`") % 2:
        cut = cut[: cut.rfind("`")]
    return cut.rstrip() + "…"


__all__ = ["HEADER_LIMIT", "MAX_BLOCKS", "SECTION_LIMIT", "fit_blocks", "render_slack"]
