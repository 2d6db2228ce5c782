"""The sentences of a decision: one summary a developer can act on, one message per rule.

Wording is fixed and depends only on the decision's content, so the same report and policy
always produce the same text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import ByteSize

from ecr_guard.findings.model import (
    FindingKind,
    FixAvailability,
    ImageFacts,
    ScanReport,
    ScanStatus,
)
from ecr_guard.policy.decision import RuleOutcome, Verdict
from ecr_guard.policy.grouping import Group
from ecr_guard.policy.model import NO_USABLE_SCAN_RULE

_MAX_LISTED = 3

_NOUNS = {
    FindingKind.VULNERABILITY: ("vulnerability", "vulnerabilities"),
    FindingKind.SECRET: ("secret", "secrets"),
    FindingKind.MISCONFIGURATION: ("misconfiguration", "misconfigurations"),
}

_UNUSABLE = {
    ScanStatus.FAILED: "the scan failed",
    ScanStatus.UNSUPPORTED: "the scanner does not support this image",
    ScanStatus.PENDING: "the scan has not finished",
}


def count_phrase(groups: Sequence[Group]) -> str:
    """`3 vulnerabilities`, `1 secret`, `2 findings` (mixed kinds)."""
    kinds = {group.kind for group in groups}
    singular, plural = _NOUNS[kinds.pop()] if len(kinds) == 1 else ("finding", "findings")
    return f"{len(groups)} {singular if len(groups) == 1 else plural}"


def describe_group(group: Group) -> str:
    """`CVE-2021-44228 in log4j-core 2.14.1, fixed in 2.15.0`, or where a secret sits."""
    finding = group.worst_occurrence()
    where = finding.display_package() or "the image"
    if group.kind is FindingKind.SECRET:
        line = f" line {finding.line}" if finding.line is not None else ""
        return f"{finding.title or group.id} in {where}{line}"
    if group.kind is FindingKind.MISCONFIGURATION:
        title = f": {finding.title}" if finding.title else ""
        return f"{group.id} in {where}{title}"

    others = len(group.packages) - 1
    more = f" and {others} more package{'s' if others > 1 else ''}" if others > 0 else ""
    if finding.fixed_versions:
        fix = f", fixed in {', '.join(finding.fixed_versions)}"
    elif finding.fix is FixAvailability.NO:
        fix = ", no fix yet"
    else:
        fix = ", fixed in a version the scanner does not name"
    return f"{group.id} in {where}{more}{fix}"


def rule_message(rule_id: str, groups: Sequence[Group]) -> str:
    """`2 vulnerabilities match rule x: CVE-1 in a 1.0, fixed in 1.1; CVE-2 in b 2.0, no fix
    yet.` Up to three groups are named."""
    listed = "; ".join(describe_group(group) for group in groups[:_MAX_LISTED])
    rest = len(groups) - _MAX_LISTED
    more = f"; and {rest} more" if rest > 0 else ""
    verb = "matches" if len(groups) == 1 else "match"
    return f"{count_phrase(groups)} {verb} rule {rule_id}: {listed}{more}."


def size_message(size_bytes: int, limit: ByteSize) -> str:
    size, most = ByteSize(size_bytes).human_readable(), limit.human_readable()
    if size == most:  # rounded alike: only the exact numbers show the difference
        size, most = f"{size_bytes} bytes", f"{int(limit)} bytes ({most})"
    return f"The image is {size}, over the policy's limit of {most}."


def end_of_life_message(facts: ImageFacts) -> str:
    os_name = " ".join(part for part in (facts.os_family, facts.os_version) if part)
    named = f" ({os_name})" if os_name else ""
    return (
        f"The base OS{named} is past its end of life and gets no more security fixes; "
        "rebuild on a supported release."
    )


def unusable_phrase(report: ScanReport) -> str:
    """`no usable scan: the scan failed (UnsupportedImageError: …)`."""
    phrase = _UNUSABLE.get(report.status, f"the scan status is {report.status}")
    reason = f" ({report.status_reason})" if report.status_reason else ""
    return f"no usable scan: {phrase}{reason}, so the image could not be judged"


def unusable_message(report: ScanReport, handled_as: Verdict) -> str:
    phrase = unusable_phrase(report)
    return f"{phrase[:1].upper()}{phrase[1:]}; the policy handles this as {handled_as}."


def summary(
    *,
    verdict: Verdict,
    outcome: Verdict,
    outcomes: Sequence[RuleOutcome],
    fired: Mapping[str, Sequence[Group]],
    report: ScanReport,
    total: int,
    waived: int,
    expired_waivers: int,
) -> str:
    """One sentence: the verdict, the main reason, and what else a developer should know."""
    if verdict is Verdict.UNKNOWN:
        head = f"UNKNOWN (handled as {outcome}): {unusable_phrase(report)}"
        others = [o.rule_id for o in outcomes if o.rule_id != NO_USABLE_SCAN_RULE]
    elif verdict in (Verdict.FAIL, Verdict.WARN):
        decisive = verdict.value.lower()
        primary = next(o for o in outcomes if o.verdict.value == decisive)
        head = f"{verdict}: {_reason(primary, fired)}"
        others = [o.rule_id for o in outcomes if o is not primary]
    else:
        head = _pass_head(total, waived)
        others = []

    tail = ""
    if others:
        noun = "rule" if len(others) == 1 else "rules"
        tail += f"; {len(others)} more {noun} fired: {', '.join(others)}"
    if expired_waivers:
        plural = expired_waivers > 1
        tail += (
            f"; {expired_waivers} expired waiver{'s' if plural else ''} "
            f"no longer appl{'y' if plural else 'ies'}"
        )
    return f"{head}{tail}."


def _reason(outcome: RuleOutcome, fired: Mapping[str, Sequence[Group]]) -> str:
    groups = fired.get(outcome.rule_id)
    if not groups:
        text = outcome.message.rstrip(".")
        return f"{text[:1].lower()}{text[1:]}"
    verb = "breaks" if len(groups) == 1 else "break"
    return (
        f"{count_phrase(groups)} {verb} rule {outcome.rule_id} (worst: {describe_group(groups[0])})"
    )


def _pass_head(total: int, waived: int) -> str:
    if total == 0:
        return "PASS: the scan found no active findings"
    waived_note = f" ({waived} waived)" if waived else ""
    if total == 1:
        return f"PASS: the only active finding breaks no rule{waived_note}"
    return f"PASS: none of the {total} active findings breaks a rule{waived_note}"
