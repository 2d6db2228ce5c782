"""The plain-text email of a notification: what happened, the worst findings, what to do.

Rendered from the JSON body, so mail and machines always say the same thing. Lines stay within
78 characters where the content allows (a digest does not break), columns are aligned, and
every value from a report is cleaned again before it is printed.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import timedelta

from ecr_guard.findings.model import FindingKind, Severity
from ecr_guard.guard.config import QuarantineMethod
from ecr_guard.guard.notification import (
    NotificationV1,
    NotifiedFinding,
    NotifiedRule,
    clean_text,
    worst_first,
)
from ecr_guard.guard.outcome import ActionKind, ActionReport
from ecr_guard.images import short_digest
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode, RuleVerdict

WIDTH = 78
EMAIL_FINDINGS = 20
"""Findings listed in the mail; the JSON body lists as many as the size budget allows."""
WAIVER_DAYS = 30
"""The expiry suggested in the example waiver, counted from the evaluation."""

_LABEL_WIDTH = 12
_CODE_INDENT = " " * 6
_MAX_RULES = 20
_MAX_PLATFORMS = 40
_MAX_EXPIRED_SHOWN = 5
# Column caps: a line grows past 78 characters rather than cut a fixed version short.
_COLUMNS = (("SEVERITY", 8), ("ID", 20), ("PACKAGE", 22), ("INSTALLED", 20), ("FIXED", 32))
_SHRINKABLE = ((2, 14), (1, 14))
"""(column, narrowest width) in the order columns give way: package, then id."""
_SEVERITY_ORDER = sorted(Severity, key=lambda level: level.rank, reverse=True)


def render_email(body: NotificationV1) -> str:
    """The whole mail text, sections separated by blank lines."""
    rows = _distinct_rows(body.rules)
    sections = [
        _headline(body),
        _wrap(body.summary),
        _facts(body),
        _platforms(body),
        _rules(body.rules),
        _findings(body, rows),
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
        ("Account", where),
        ("Team", _plain(body.team, 100) or "unknown"),
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
    """Each column as wide as its content (capped); over 78 characters the package and id
    columns give way first, the versions last: they are what a developer acts on."""
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
    no_fix = "no fix" if finding.kind is FindingKind.VULNERABILITY else ""
    fixed = ", ".join(finding.fixed) or no_fix
    values = (finding.severity.value, finding.id, finding.location, finding.installed, fixed)
    return [_plain(value, 200) for value in values]


def _what_to_do(body: NotificationV1, rows: list[NotifiedFinding]) -> str:
    steps: list[str] = []
    if body.verdict is Verdict.UNKNOWN:
        steps.append(
            "The scan could not be used. Scanners cannot read images without a package "
            "manager (scratch, distroless): upload a Trivy report for this digest, or ask the "
            "policy owners how `image.unknown` should treat such images."
        )
    fixable = [row for row in rows[:EMAIL_FINDINGS] if row.fixed]
    if fixable:
        steps.append(
            "Upgrade the packages listed above to a version in the FIXED column, rebuild and push."
        )
    if rows and body.outcome in (Verdict.FAIL, Verdict.WARN):
        steps.append("To accept a risk instead, add a waiver to the policy, for example:")
        steps.append(_code(_waiver_example(body, rows[0])))
    if body.release_command:
        steps.append(
            "Once fixed or waived, the guard releases the image on its next evaluation. "
            "To release it now:"
        )
        steps.append(_code([body.release_command]))
    if not steps:
        return ""
    return "What to do\n" + "\n".join(_step(step) for step in steps)


def _waiver_example(body: NotificationV1, finding: NotifiedFinding) -> list[str]:
    """The YAML entry to add under `waivers:`; strings are JSON-quoted, which YAML reads."""
    expires = (body.evaluated_at + timedelta(days=WAIVER_DAYS)).date().isoformat()
    entry = [f"id: {json.dumps(finding.id)}"]
    if finding.package:
        entry.append(f"package: {json.dumps(finding.package)}")
    elif finding.path:
        entry.append(f"path: {json.dumps(finding.path)}")
    entry += [
        f"repositories: [{json.dumps(body.image.repository)}]",
        'reason: "<why the risk is accepted>"',
        'approved_by: "<who accepts it>"',
        f"expires: {expires}",
    ]
    return ["waivers:", f"  - {entry[0]}"] + [f"    {line}" for line in entry[1:]]


def _code(lines: Sequence[str]) -> str:
    """A block set apart by blank lines and indented, so it can be copied as it is."""
    return "\n" + "\n".join(f"{_CODE_INDENT}{line}" for line in lines) + "\n"


def _distinct_rows(rules: Iterable[NotifiedRule]) -> list[NotifiedFinding]:
    """Each listed finding once (a finding can sit under several rules), worst first."""
    keyed: dict[tuple[object, ...], tuple[RuleVerdict, NotifiedFinding]] = {}
    for rule in rules:
        for finding in rule.findings:
            key = (finding.id, finding.package, finding.installed, finding.path, finding.line)
            known = keyed.get(key)
            if known is None or (rule.verdict is RuleVerdict.FAIL and known[0] is RuleVerdict.WARN):
                keyed[key] = (rule.verdict, finding)
    ordered = sorted(keyed.values(), key=lambda pair: worst_first(*pair))
    return [finding for _, finding in ordered]


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


def _verdict_label(verdict: Verdict, outcome: Verdict) -> str:
    if verdict is Verdict.UNKNOWN and outcome is not Verdict.UNKNOWN:
        return f"UNKNOWN (handled as {outcome.value})"
    return verdict.value


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = (f"{_fit(cell, width):<{width}}" for cell, width in zip(cells, widths, strict=True))
    return ("  " + "  ".join(padded)).rstrip()


def _field(label: str, value: str) -> str:
    return _wrap(value, first=f"{label:<{_LABEL_WIDTH}}", rest=" " * _LABEL_WIDTH)


def _step(text: str) -> str:
    if text.startswith("\n"):
        return text
    return _wrap(text, first="  - ", rest="    ")


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
