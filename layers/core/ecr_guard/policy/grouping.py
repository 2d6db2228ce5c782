"""Occurrences grouped into the findings a policy counts, with the facts rules are judged on.

With `counting: per-vulnerability` every occurrence of one (kind, id) forms one group, and a
rule is judged on the group as a whole:

- severity: the worst of the occurrences; CVSS score and EPSS: the highest;
- fix: YES when every occurrence has a fix, NO when none has, PARTIAL otherwise (so
  `fixable: true` holds when at least one affected package can be upgraded);
- published: the earliest date; exploit: true if any source reports one, false if none does
  and at least one says so, unknown otherwise;
- packages: a package pattern holds when any occurrence's package matches.

With `counting: per-package` each occurrence is its own group, judged on its own facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from ecr_guard.findings.model import Finding, FindingKind, FixAvailability, Severity
from ecr_guard.policy.decision import FindingGroup
from ecr_guard.policy.model import Counting


class Group(NamedTuple):
    """One counted finding: its occurrences and their aggregate facts.

    A named tuple because a 20,000-finding report makes as many of them, and tuples are the
    cheapest immutable records to build.
    """

    kind: FindingKind
    id: str
    id_key: str
    occurrences: tuple[Finding, ...]
    severity: Severity
    severity_rank: int
    fix: FixAvailability
    cvss: float | None
    epss: float | None
    published: datetime | None
    exploit: bool | None
    packages: tuple[str, ...]

    def worst_occurrence(self) -> Finding:
        """The occurrence to show first: worst severity, then highest score, then one with a
        fix (the actionable one), then report order."""
        return min(
            self.occurrences,
            key=lambda finding: (
                -finding.severity.rank,
                -(finding.cvss_score or 0.0),
                not finding.fixed_versions,
            ),
        )

    def sort_key(self) -> tuple[int, float, str]:
        """Worst first: severity, then CVSS score (unscored last), then id; a stable sort
        keeps report order among equals (the packages of one id, per package)."""
        cvss = -1.0 if self.cvss is None else self.cvss
        return (-self.severity_rank, -cvss, self.id)

    def to_finding_group(self) -> FindingGroup:
        first = self.occurrences[0]
        many = len(self.occurrences) > 1
        return FindingGroup(
            kind=self.kind,
            id=self.id,
            severity=self.severity,
            fix=self.fix,
            title=next((f.title for f in self.occurrences if f.title), None)
            if many
            else first.title,
            url=next((f.url for f in self.occurrences if f.url), None) if many else first.url,
            cvss_score=self.cvss,
            occurrences=self.occurrences,
        )


def group_findings(findings: Iterable[Finding], counting: Counting) -> list[Group]:
    """Groups in order of first appearance in the report."""
    if counting is Counting.PER_PACKAGE:
        return [_aggregate((finding,)) for finding in findings]

    by_key: dict[tuple[FindingKind, str], list[Finding]] = {}
    for finding in findings:
        by_key.setdefault((finding.kind, finding.id.casefold()), []).append(finding)
    return [_aggregate(tuple(occurrences)) for occurrences in by_key.values()]


_RANK = {level: level.rank for level in Severity}
_FIX_BITS = {FixAvailability.YES: 1, FixAvailability.NO: 2, FixAvailability.PARTIAL: 3}


def _aggregate(occurrences: tuple[Finding, ...]) -> Group:
    # One pass with plain comparisons: a large report has tens of thousands of occurrences.
    first = occurrences[0]
    if len(occurrences) == 1:
        return _single(first)
    severity, rank = first.severity, _RANK[first.severity]
    fix_bits = 0
    cvss = epss = None
    published = None
    exploit: bool | None = None
    packages: dict[str, None] = {}
    for finding in occurrences:
        finding_rank = _RANK[finding.severity]
        if finding_rank > rank:
            severity, rank = finding.severity, finding_rank
        fix_bits |= _FIX_BITS[finding.fix]
        if finding.cvss_score is not None and (cvss is None or finding.cvss_score > cvss):
            cvss = finding.cvss_score
        if finding.epss is not None and (epss is None or finding.epss > epss):
            epss = finding.epss
        moment = _utc(finding.published)
        if moment is not None and (published is None or moment < published):
            published = moment
        if finding.exploit_available is not None and exploit is not True:
            exploit = finding.exploit_available
        if finding.package_name:
            packages[finding.package_name] = None

    return Group(
        kind=first.kind,
        id=first.id,
        id_key=first.id.casefold(),
        occurrences=occurrences,
        severity=severity,
        severity_rank=rank,
        fix=_fix_from_bits(fix_bits),
        cvss=cvss,
        epss=epss,
        published=published,
        exploit=exploit,
        packages=tuple(packages),
    )


def _single(finding: Finding) -> Group:
    return Group(
        kind=finding.kind,
        id=finding.id,
        id_key=finding.id.casefold(),
        occurrences=(finding,),
        severity=finding.severity,
        severity_rank=_RANK[finding.severity],
        fix=finding.fix,
        cvss=finding.cvss_score,
        epss=finding.epss,
        published=_utc(finding.published),
        exploit=finding.exploit_available,
        packages=(finding.package_name,) if finding.package_name else (),
    )


def _fix_from_bits(bits: int) -> FixAvailability:
    """YES only if every occurrence has a fix, NO only if none has, PARTIAL otherwise."""
    if bits == _FIX_BITS[FixAvailability.YES]:
        return FixAvailability.YES
    if bits == _FIX_BITS[FixAvailability.NO]:
        return FixAvailability.NO
    return FixAvailability.PARTIAL


def _utc(moment: datetime | None) -> datetime | None:
    """Aware UTC datetimes compare safely; a naive one is taken to be UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
