"""The findings behind a decision, flattened and ordered the same way for every output format."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from ecr_guard.findings.model import Finding, Severity
from ecr_guard.policy.decision import Decision, FindingGroup, RuleOutcome, WaiverUse
from ecr_guard.policy.model import RuleVerdict

_VERDICT_ORDER = {RuleVerdict.FAIL: 0, RuleVerdict.WARN: 1}


@dataclass(frozen=True)
class FindingRow:
    """One occurrence of a flagged finding, with the strictest verdict of the rules behind it."""

    group: FindingGroup
    occurrence: Finding
    verdict: RuleVerdict
    rule_ids: tuple[str, ...]
    copies: int = 1
    """Identical-looking occurrences merged into this row (one package at several paths)."""

    @property
    def severity(self) -> Severity:
        return self.occurrence.severity

    @property
    def package(self) -> str:
        """The package name, or the file (with its line) for secrets and misconfigurations."""
        found = self.occurrence
        if found.package_name:
            copies = f" ({self.copies} copies)" if self.copies > 1 else ""
            return found.package_name + copies
        where = found.path or found.target or ""
        return f"{where}:{found.line}" if where and found.line else where

    @property
    def installed(self) -> str:
        return self.occurrence.installed_version or ""

    @property
    def fixed(self) -> str:
        """The fixed versions, `no fix` for an unfixed vulnerability, empty for other kinds."""
        return self.occurrence.display_fix()

    @property
    def title(self) -> str:
        return self.group.title or self.occurrence.title or ""


def image_label(decision: Decision) -> str:
    """`repo:tag`, `repo@sha256:…`, or the report's origin when the image is not known."""
    return decision.image.display() if decision.image else decision.report.origin


def flagged_rows(decision: Decision) -> list[FindingRow]:
    """Every occurrence behind a fired rule, once, failing ones first, then worst severity first."""
    return _ordered_rows(decision.rules)


def rows_for_verdict(
    decision: Decision, verdict: RuleVerdict, rows: list[FindingRow] | None = None
) -> list[FindingRow]:
    """The flagged rows of one verdict; pass `rows` when they are already computed."""
    every = flagged_rows(decision) if rows is None else rows
    return [row for row in every if row.verdict is verdict]


def collapse_copies(rows: list[FindingRow]) -> list[FindingRow]:
    """One row per visible line: the same package and version at several paths counts once."""
    merged: dict[tuple[str, ...], FindingRow] = {}
    for row in rows:
        key = (row.verdict, row.group.id, row.package, row.installed, row.fixed)
        known = merged.get(key)
        merged[key] = row if known is None else replace(known, copies=known.copies + 1)
    return list(merged.values())


def count_phrase(rows: list[FindingRow]) -> str:
    """`14 findings, 24 occurrences` when findings span several packages, else `14 findings`."""
    findings = len({(row.group.kind, row.group.id) for row in rows})
    phrase = f"{findings} finding{'' if findings == 1 else 's'}"
    occurrences = sum(row.copies for row in rows)
    return phrase if occurrences == findings else f"{phrase}, {occurrences} occurrences"


def waiver_rows(uses: Iterable[WaiverUse]) -> list[tuple[WaiverUse, FindingRow]]:
    """The occurrences each waiver matched, for listing waivers with what they cover."""
    listed: list[tuple[WaiverUse, FindingRow]] = []
    for use in uses:
        for group in use.findings:
            for occurrence in group.occurrences:
                # A waived finding fired no rule: no rule ids, and its verdict is never shown.
                row = FindingRow(group, occurrence, RuleVerdict.WARN, ())
                listed.append((use, row))
    return listed


def _ordered_rows(rules: Iterable[RuleOutcome]) -> list[FindingRow]:
    merged: dict[tuple[str | int | None, ...], FindingRow] = {}
    for outcome in rules:
        for group in outcome.findings:
            for occurrence in group.occurrences:
                key = _identity(group, occurrence)
                known = merged.get(key)
                if known is None:
                    merged[key] = FindingRow(group, occurrence, outcome.verdict, (outcome.rule_id,))
                    continue
                verdict = min(known.verdict, outcome.verdict, key=_VERDICT_ORDER.__getitem__)
                merged[key] = FindingRow(
                    group, occurrence, verdict, (*known.rule_ids, outcome.rule_id)
                )
    return sorted(merged.values(), key=_worst_first)


def _identity(group: FindingGroup, found: Finding) -> tuple[str | int | None, ...]:
    # Hashing the frozen models themselves is slow; these fields tell occurrences apart.
    return (
        group.kind,
        group.id,
        found.package_name,
        found.installed_version,
        found.purl,
        found.path,
        found.target,
        found.line,
    )


def _worst_first(row: FindingRow) -> tuple[int, int, float, str, str]:
    score = row.group.cvss_score if row.group.cvss_score is not None else -1.0
    return (_VERDICT_ORDER[row.verdict], -row.severity.rank, -score, row.group.id, row.package)
