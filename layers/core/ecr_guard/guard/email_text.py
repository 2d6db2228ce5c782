"""The plain-text email of a notification: what happened, the worst findings, what to do.

Rendered from the JSON body, so mail and machines always say the same thing. Lines stay within
78 characters where the content allows (a digest does not break), columns are aligned, and
every value from a report is cleaned again before it is printed.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence

from ecr_guard.findings.model import Severity
from ecr_guard.guard.advice import distinct_rows, fix_text, next_steps
from ecr_guard.guard.config import QuarantineMethod
from ecr_guard.guard.notification import (
    Baseline,
    NotificationV1,
    NotifiedChanges,
    NotifiedFinding,
    NotifiedRoute,
    NotifiedRule,
    NotifyReason,
    RouteSource,
    clean_text,
)
from ecr_guard.guard.outcome import ActionKind, ActionReport
from ecr_guard.images import short_digest
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode

WIDTH = 78
EMAIL_FINDINGS = 20
"""Findings listed in the mail; the JSON body lists as many as the size budget allows."""

_LABEL_WIDTH = 12
_CODE_INDENT = " " * 6
_MAX_RULES = 20
_MAX_PLATFORMS = 40
_MAX_EXPIRED_SHOWN = 5
# Column caps: a line grows past 78 characters rather than cut a fixed version short.
_COLUMNS = (("SEVERITY", 8), ("ID", 20), ("PACKAGE", 22), ("INSTALLED", 20), ("FIXED", 32))
_SHRINKABLE = ((2, 14), (1, 14), (3, 12))
"""(column, narrowest width) in the order columns give way: package, id, installed version."""
_SEVERITY_ORDER = sorted(Severity, key=lambda level: level.rank, reverse=True)


def render_email(body: NotificationV1) -> str:
    """The whole mail text, sections separated by blank lines."""
    rows = distinct_rows(body.rules)
    sections = [
        _headline(body),
        _wrap(body.summary),
        _changes(body),
        _facts(body),
        _platforms(body),
        _rules(body.rules),
        _findings(body, rows),
        _references(rows[:EMAIL_FINDINGS]),
        _what_to_do(body, rows),
    ]
    return "\n\n".join(section for section in sections if section).rstrip() + "\n"


def action_sentence(action: ActionReport, mode: Mode) -> str:
    """What was done (or would have been done in audit mode), as full sentences."""
    if action.failed:
        return f"The {action.kind.value} failed: {_plain(action.error, 300)}."
    if action.kind is ActionKind.NONE:
        return "None."
    if action.already_done:
        return f"Nothing changed: the {action.kind.value} was already in place."
    if action.performed:
        return _done(action)
    audit = " Audit mode: nothing was changed." if mode is Mode.AUDIT else ""
    return _would(action) + audit


def _done(action: ActionReport) -> str:
    if action.kind is ActionKind.QUARANTINE:
        if action.method is QuarantineMethod.ARCHIVE:
            return (
                "Quarantined by archive: the image is in ECR's archive storage class, so pulls "
                "fail until it is released."
            )
        removed = _listing(action.tags_removed) or "none"
        return (
            f"Quarantined by retag: removed the deployable tags {removed}; the image keeps the "
            f"tag {action.quarantine_tag or '(unknown)'}."
        )
    if action.kind is ActionKind.RELEASE:
        if action.method is QuarantineMethod.ARCHIVE:
            text = "Released from quarantine: back in the standard storage class."
        else:
            text = f"Released from quarantine: restored the tags {_listing(action.tags_restored)}."
        if action.tags_skipped:
            skipped = _listing(action.tags_skipped)
            text += f" Not restored, because they now point at another image: {skipped}."
        return text
    return f"Tagged {_plain(action.verified_tag, 128) or 'as verified'}."


def _would(action: ActionReport) -> str:
    if action.kind is ActionKind.QUARANTINE:
        if action.method is QuarantineMethod.ARCHIVE:
            return "Would be quarantined by archive (moved to ECR's archive storage class)."
        text = "Would be quarantined by retag"
        if action.tags_removed:
            text += f": the deployable tags {_listing(action.tags_removed)} would be removed"
        if action.quarantine_tag:
            text += f" and the tag {action.quarantine_tag} added"
        return text + "."
    if action.kind is ActionKind.RELEASE:
        return "Would be released from quarantine."
    return f"Would be tagged {_plain(action.verified_tag, 128) or 'as verified'}."


def _headline(body: NotificationV1) -> str:
    label = _verdict_label(body.verdict, body.outcome)
    previous = body.previous_verdict
    was = f" (previously {previous.value})" if previous and previous is not body.verdict else ""
    return f"ecr-guard: {label}{was} for {_plain(body.image.display, 200)}"


def _facts(body: NotificationV1) -> str:
    image = body.image
    where = ", ".join(part for part in (image.account, image.region) if part)
    facts = [
        ("Image", _plain(image.display, 200)),
        ("Kind", image.kind.value),
        ("Tags", _listing(image.tags) or "(untagged)"),
        ("Digest", image.digest or "unknown"),
        ("Evaluated", image.evaluated_digest or ""),
        ("Pushed by", _plain(image.pusher, 200)),
        ("Account", where),
        ("Team", _team(body)),
        ("Verdict", _verdict_label(body.verdict, body.outcome)),
        ("Mode", body.mode.value),
        ("Warning", _plain(body.action.warning, 300)),
        ("Waivers", _waivers_line(body)),
        ("Scanner", f"{body.source.value}, {_plain(body.report.origin, 300)}"),
        ("Scan", _scan_status(body)),
        (
            "Policy",
            f"rule set {body.rule_set}, fingerprint {short_digest(body.policy_fingerprint)}",
        ),
        ("Judged at", body.evaluated_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()),
        ("Event", body.event_id or ""),
    ]
    return "\n".join(_field(label, value) for label, value in facts if value)


def _platforms(body: NotificationV1) -> str:
    platforms = body.image.platforms
    if not platforms:
        return ""
    width = min(max(len(item.platform) for item in platforms), 24)
    lines = ["Platforms"]
    for item in platforms[:_MAX_PLATFORMS]:
        verdict = item.verdict.value if item.verdict else "not evaluated yet"
        name = _fit(_plain(item.platform, 60), width)
        lines.append(f"  {name:<{width}}  {short_digest(item.digest)}  {verdict}")
    if len(platforms) > _MAX_PLATFORMS:
        lines.append(f"  … and {len(platforms) - _MAX_PLATFORMS} more")
    return "\n".join(lines)


def _rules(rules: Iterable[NotifiedRule]) -> str:
    listed = list(rules)
    if not listed:
        return ""
    lines = ["Rules fired"]
    for rule in listed[:_MAX_RULES]:
        lines.append(f"  {rule.verdict.value.upper():<4}  {rule.id}")
        lines.append(_wrap(_plain(rule.message, 400), first=" " * 8, rest=" " * 8))
    if len(listed) > _MAX_RULES:
        lines.append(f"  … and {len(listed) - _MAX_RULES} more rules")
    return "\n".join(lines)


def _findings(body: NotificationV1, rows: list[NotifiedFinding]) -> str:
    if not rows:
        return ""
    shown = rows[:EMAIL_FINDINGS]
    hidden = Counter(row.severity for row in rows[EMAIL_FINDINGS:])
    hidden.update({level: count for level, count in body.omitted.by_severity.items() if count})
    table = [_cells(finding) for finding in shown]
    widths = _column_widths(table)
    lines = [f"Findings, worst first ({len(shown)} of {len(shown) + hidden.total()})"]
    lines.append(_row([header for header, _ in _COLUMNS], widths))
    lines.extend(_row(cells, widths) for cells in table)
    if hidden:
        levels = ", ".join(
            f"{hidden[level]} {level.value}" for level in _SEVERITY_ORDER if hidden[level]
        )
        note = (
            f"{hidden.total()} more not listed here ({levels}). The JSON message lists more; "
            "`ecr-guard check` on the report lists them all."
        )
        lines.append(_wrap(note, first="  ", rest="  "))
    return "\n".join(lines)


def _column_widths(table: list[list[str]]) -> list[int]:
    """Each column as wide as its content (capped); over 78 characters the package, id and
    installed version give way, the fixed version never: it is what a developer acts on."""
    widths = [
        min(cap, max(len(header), *(len(cells[column]) for cells in table)))
        for column, (header, cap) in enumerate(_COLUMNS)
    ]
    for column, floor in _SHRINKABLE:
        excess = 2 + sum(widths) + 2 * (len(widths) - 1) - WIDTH
        if excess <= 0:
            break
        widths[column] = max(floor, widths[column] - excess)
    return widths


def _cells(finding: NotifiedFinding) -> list[str]:
    values = (
        finding.severity.value,
        finding.id,
        finding.location,
        finding.installed,
        fix_text(finding),
    )
    return [_plain(value, 200) for value in values]


def _what_to_do(body: NotificationV1, rows: list[NotifiedFinding]) -> str:
    steps = next_steps(body, rows, shown=EMAIL_FINDINGS)
    if not steps:
        return ""
    lines = ["What to do"]
    for step in steps:
        lines.append(_wrap(step.text, first="  - ", rest="    "))
        if step.code:
            lines.append(_code(step.code))
    return "\n".join(lines)


def _changes(body: NotificationV1) -> str:
    """What is new since the previous decision for this image, or for a new digest, for its
    tag; nothing when the message is only about an action on an unchanged decision."""
    changes = body.changes
    if changes is None:
        return ""
    lines = [_wrap(sentence, first="  ", rest="  ") for sentence in change_sentences(changes)]
    if changes.new_failing_total:
        lines.append(_id_list("New failing", changes.new_failing, changes.new_failing_total))
    if changes.no_longer_failing_total:
        lines.append(
            _id_list(
                "No longer failing", changes.no_longer_failing, changes.no_longer_failing_total
            )
        )
    return "\n".join(["What changed", *lines]) if lines else ""


def change_sentences(changes: NotifiedChanges) -> list[str]:
    """Plain sentences about the baseline: also used by the chat renderers."""
    subject = f"this image's tag {changes.tag}" if changes.tag else "this image"
    if NotifyReason.FIRST_DECISION in changes.reasons or changes.previous_verdict is None:
        return [f"First decision for {subject}."]
    if changes.baseline is Baseline.TAG and changes.previous_digest:
        where = f"the last decision for tag {changes.tag} (digest "
        where += f"{short_digest(changes.previous_digest)}"
    else:
        where = "this image's previous decision ("
    when = changes.previous_at.strftime("%Y-%m-%d %H:%M UTC") if changes.previous_at else ""
    where += f", {when})" if when else ")"
    before = _verdict_label(
        changes.previous_verdict, changes.previous_outcome or changes.previous_verdict
    )
    sentences = [f"Compared with {where}: it was {before}."]
    if NotifyReason.VERDICT_CHANGED not in changes.reasons and not changes.new_failing_total:
        sentences.append("The decision is the same; the guard acted on it.")
    return sentences


def _id_list(label: str, ids: Sequence[str], total: int) -> str:
    shown = ", ".join(_plain(found, 100) for found in ids)
    more = f", and {total - len(ids)} more" if total > len(ids) else ""
    return _wrap(f"{label} ({total}): {shown}{more}", first="  ", rest="    ")


def _references(rows: list[NotifiedFinding]) -> str:
    """One link per finding id listed, so the table keeps its columns."""
    links: dict[str, str] = {}
    for row in rows:
        if row.url and row.id not in links:
            links[row.id] = _plain(row.url, 500)
    if not links:
        return ""
    width = min(max(len(found) for found in links), 24)
    lines = ["References"]
    lines.extend(f"  {_fit(found, width):<{width}}  {url}" for found, url in links.items())
    return "\n".join(lines)


def _team(body: NotificationV1) -> str:
    team = _plain(body.team, 100) or "unknown"
    route: NotifiedRoute | None = body.route
    if route is None:
        return team
    where = {
        RouteSource.POLICY_ROUTE: "policy route",
        RouteSource.REPOSITORY_TAG: "repository tag",
        RouteSource.DEFAULT_TEAM: "policy default",
        RouteSource.NONE: "no owner tag or route",
    }[route.source]
    channels = ", ".join(_plain(part, 254) for part in (route.email, route.slack_channel) if part)
    return f"{team} ({where}{'; ' + channels if channels else ''})"


def _code(lines: Sequence[str]) -> str:
    """A block set apart by blank lines and indented, so it can be copied as it is."""
    return "\n" + "\n".join(f"{_CODE_INDENT}{line}" for line in lines) + "\n"


def _waivers_line(body: NotificationV1) -> str:
    """How many waivers applied and which expired ones no longer do (a common new failure)."""
    waivers = body.waivers
    applied, expired = len(waivers.applied), len(waivers.expired)
    if not applied and not expired and not body.omitted.waivers:
        return ""
    text = f"{applied} applied, {expired} expired"
    if expired:
        ids = _listing(waiver.id for waiver in waivers.expired[:_MAX_EXPIRED_SHOWN])
        more = ", …" if expired > _MAX_EXPIRED_SHOWN else ""
        text += f" ({ids}{more}): findings they covered count again"
    if body.omitted.waivers:
        text += f"; {body.omitted.waivers} more not listed"
    return text


def _scan_status(body: NotificationV1) -> str:
    reason = _plain(body.report.status_reason, 200)
    return f"{body.report.status.value}: {reason}" if reason else ""


def _verdict_label(verdict: Verdict | None, outcome: Verdict | None) -> str:
    if verdict is None:
        return "undecided"
    if verdict is Verdict.UNKNOWN and outcome and outcome is not Verdict.UNKNOWN:
        return f"UNKNOWN (handled as {outcome.value})"
    return verdict.value


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = (f"{_fit(cell, width):<{width}}" for cell, width in zip(cells, widths, strict=True))
    return ("  " + "  ".join(padded)).rstrip()


def _field(label: str, value: str) -> str:
    return _wrap(value, first=f"{label:<{_LABEL_WIDTH}}", rest=" " * _LABEL_WIDTH)


def _wrap(text: str, *, first: str = "", rest: str = "") -> str:
    return textwrap.fill(
        text,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _listing(values: Iterable[str]) -> str:
    return ", ".join(_plain(value, 128) for value in values)


def _plain(text: str | None, limit: int) -> str:
    return clean_text(text, limit) or ""


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
