"""The findings a notification lists: every finding under every fired rule, worst first.

A finding under two rules is listed under both; `omitted` counts each finding once. Values
from reports are cleaned and capped here, before they reach any body.
"""

from __future__ import annotations

from collections import Counter

from ecr_guard.findings.model import Finding, Severity
from ecr_guard.guard.notification import NotifiedFinding, NotifiedRule, Omitted, clean_text
from ecr_guard.policy.decision import Decision, FindingGroup, RuleOutcome
from ecr_guard.policy.model import RuleVerdict

MAX_RULES = 50
"""Fired rules listed in a notification; the rest are only counted."""
ID_LIMIT = 100
TEXT_LIMIT = 200
URL_LIMIT = 500
_VERSION_LIMIT = 100
_RULE_TEXT_LIMIT = 500
_FIXED_VERSIONS = 5
_SEVERITY_ORDER = sorted(Severity, key=lambda level: level.rank, reverse=True)

Identity = tuple[str, str, str, str, int, str]
"""What makes two listings the same finding: id, package, version, path, line, target."""
Listing = tuple[int, RuleVerdict, FindingGroup, Finding, Identity]
"""(rule index, rule verdict, group, occurrence, identity): one finding under one rule."""


def worst_first_listings(decision: Decision) -> list[Listing]:
    """Every (rule, finding) pair of the listed rules: failing rules first, then severity, CVSS
    score, id and location."""
    listed = [
        (index, rule.verdict, group, occurrence, _identity(group, occurrence))
        for index, rule in enumerate(decision.rules[:MAX_RULES])
        for group in rule.findings
        for occurrence in group.occurrences
    ]
    listed.sort(key=_worst_first)
    return listed


def notified_finding(listing: Listing) -> NotifiedFinding:
    _, _, group, occurrence, _ = listing
    fixed = (clean_text(version, _VERSION_LIMIT) for version in occurrence.fixed_versions)
    return NotifiedFinding(
        id=clean_text(group.id, ID_LIMIT) or "unknown",
        kind=group.kind,
        severity=occurrence.severity,
        severity_source=clean_text(occurrence.severity_source, ID_LIMIT),
        package=clean_text(occurrence.package_name, TEXT_LIMIT),
        installed=clean_text(occurrence.installed_version, _VERSION_LIMIT),
        fixed=tuple(version for version in fixed if version)[:_FIXED_VERSIONS],
        fix=occurrence.fix,
        path=clean_text(_path(occurrence), TEXT_LIMIT),
        line=occurrence.line,
        cvss_score=_cvss(group, occurrence),
        title=clean_text(group.title or occurrence.title, TEXT_LIMIT),
        url=clean_text(group.url or occurrence.url, URL_LIMIT),
    )


def notified_rule(
    rule: RuleOutcome, listed: list[NotifiedFinding], *, with_description: bool = True
) -> NotifiedRule:
    total = sum(len(group.occurrences) for group in rule.findings)
    description = rule.description if with_description else None
    return NotifiedRule(
        id=rule.rule_id,
        verdict=rule.verdict,
        message=clean_text(rule.message, _RULE_TEXT_LIMIT) or rule.rule_id,
        description=clean_text(description, _RULE_TEXT_LIMIT),
        findings_total=total,
        findings_omitted=total - len(listed),
        findings=tuple(listed),
    )


def omitted_findings(listings: list[Listing], included: int) -> Omitted:
    """The distinct findings of `listings[included:]` that are listed under no rule."""
    shown = {identity for *_, identity in listings[:included]}
    left: dict[Identity, Severity] = {}
    for _, _, _, occurrence, identity in listings[included:]:
        if identity not in shown:
            left.setdefault(identity, occurrence.severity)
    return Omitted(findings=len(left), by_severity=zero_levels() | Counter(left.values()))


def nested_size(text: str) -> int:
    """UTF-8 bytes of `text` once embedded as a JSON string in the protocol message."""
    return len(text.encode()) + text.count('"') + text.count("\\")


def zero_levels() -> dict[Severity, int]:
    """Every severity level at 0, worst first: counts keep one shape for consumers."""
    return dict.fromkeys(_SEVERITY_ORDER, 0)


def _worst_first(listing: Listing) -> tuple[int, int, float, str, str, int]:
    index, verdict, group, occurrence, _ = listing
    score = _cvss(group, occurrence)
    verdict_rank = 0 if verdict is RuleVerdict.FAIL else 1
    return (
        verdict_rank,
        -occurrence.severity.rank,
        -(score if score is not None else -1.0),
        group.id,
        _location(occurrence),
        index,
    )


def _identity(group: FindingGroup, occurrence: Finding) -> Identity:
    return (
        group.id,
        occurrence.package_name or "",
        occurrence.installed_version or "",
        occurrence.path or "",
        occurrence.line or 0,
        occurrence.target or "",
    )


def _cvss(group: FindingGroup, occurrence: Finding) -> float | None:
    return occurrence.cvss_score if occurrence.cvss_score is not None else group.cvss_score


def _path(occurrence: Finding) -> str | None:
    return occurrence.path or occurrence.target


def _location(occurrence: Finding) -> str:
    """As `NotifiedFinding.location` shows it, so the mail sorts ties the same way."""
    if occurrence.package_name:
        return occurrence.package_name
    path = _path(occurrence) or ""
    return f"{path}:{occurrence.line}" if path and occurrence.line else path
