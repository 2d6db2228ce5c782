"""The evaluation: one report of one image and a policy in, one Decision out.

Pure and deterministic: no AWS, no clock (the caller passes `now`), no randomness, and every
list in the decision has a stable order. The steps:

1. Scope: the first rule set whose repository and tag patterns match the image, else the
   top-level rules (`default`). The image is the one passed in, else the repository and tags
   the report names; an unknown repository or an untagged image is matched as the empty
   string, so only patterns like `*` match it.
2. Findings: only active ones are judged (inactive ones are counted apart); occurrences are
   grouped as `counting` says, and counted before waivers.
3. Waivers are applied per occurrence; the rest is regrouped and each rule is checked
   against each group. Rules are independent: a group can match several rules.
4. Image rules: size and end-of-life OS, when the report has those facts.
5. Verdict: FAIL if a `fail` rule fired; else UNKNOWN if the report is not usable (the
   policy's `image.unknown` decides how it is handled); else WARN if a `warn` rule fired;
   else PASS. Rules still run on whatever an unusable report holds, so a partial read that
   already shows a failing finding is a FAIL, never a milder UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ecr_guard.findings.model import Finding, FindingKind, ScanReport, Severity
from ecr_guard.findings.parsing import gc_paused
from ecr_guard.images import ImageRef
from ecr_guard.policy import messages
from ecr_guard.policy.decision import (
    Counts,
    Decision,
    FindingGroup,
    ReportSummary,
    RuleOutcome,
    Verdict,
    WaiverUse,
)
from ecr_guard.policy.fingerprint import policy_fingerprint
from ecr_guard.policy.grouping import Group, group_findings
from ecr_guard.policy.matching import Scope, compile_rule, select_scope
from ecr_guard.policy.model import (
    END_OF_LIFE_OS_RULE,
    IMAGE_SIZE_RULE,
    NO_USABLE_SCAN_RULE,
    Counting,
    Policy,
    Rule,
    RuleVerdict,
    UnknownHandling,
)
from ecr_guard.policy.waivers import WaiverBook

NO_USABLE_SCAN = NO_USABLE_SCAN_RULE
IMAGE_SIZE = IMAGE_SIZE_RULE
END_OF_LIFE_OS = END_OF_LIFE_OS_RULE

_HANDLED_AS = {
    UnknownHandling.FAIL: Verdict.FAIL,
    UnknownHandling.WARN: Verdict.WARN,
    UnknownHandling.PASS: Verdict.PASS,
}


def evaluate(
    report: ScanReport, policy: Policy, *, now: datetime, image: ImageRef | None = None
) -> Decision:
    """Judge `report` against `policy` as of `now` (a naive `now` is taken to be UTC)."""
    # The report's findings stay alive while groups and outcomes are built, and the cyclic
    # collector would walk all of them at each of its passes: about half the evaluation of a
    # 20,000-finding report. Nothing here makes reference cycles; counting frees the rest.
    with gc_paused():
        return _evaluate(report, policy, now=now, image=image)


def _evaluate(
    report: ScanReport, policy: Policy, *, now: datetime, image: ImageRef | None
) -> Decision:
    now_utc = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    image = image or _image_from_report(report)
    repository, tags = (image.repository, image.tags) if image else ("", ())
    scope = select_scope(policy, repository, tags)

    findings = _judge_findings(report, policy, scope, image=(repository, tags), now=now_utc)
    outcomes = [*findings.outcomes, *_image_outcomes(scope, report)]
    verdict, outcome = _verdicts(outcomes, report, scope)
    outcomes += _unusable_scan_outcome(report, scope)

    summary = messages.summary(
        verdict=verdict,
        outcome=outcome,
        outcomes=outcomes,
        fired=findings.fired,
        report=report,
        total=findings.counts.total,
        waived=findings.counts.waived,
        expired_waivers=len(findings.waivers_expired),
    )
    return Decision(
        verdict=verdict,
        outcome=outcome,
        summary=summary,
        image=image,
        rule_set=scope.name,
        mode=scope.mode,
        rules=tuple(outcomes),
        waivers_applied=findings.waivers_applied,
        waivers_expired=findings.waivers_expired,
        counts=findings.counts,
        policy_fingerprint=policy_fingerprint(policy),
        evaluated_at=now,
        report=ReportSummary(
            source=report.source,
            origin=report.origin,
            format=report.format,
            status=report.status,
            status_reason=report.status_reason,
        ),
    )


@dataclass(frozen=True)
class _FindingsJudged:
    """What the finding rules and the waivers made of a report's findings."""

    outcomes: list[RuleOutcome]
    fired: dict[str, list[Group]]
    counts: Counts
    waivers_applied: tuple[WaiverUse, ...]
    waivers_expired: tuple[WaiverUse, ...]


def _judge_findings(
    report: ScanReport,
    policy: Policy,
    scope: Scope,
    *,
    image: tuple[str, Sequence[str]],
    now: datetime,
) -> _FindingsJudged:
    repository, tags = image
    active = [finding for finding in report.findings if finding.active]
    all_groups = group_findings(active, policy.counting)
    book = WaiverBook(policy.waivers, repository=repository, tags=tags, today=now.date())
    waivers = book.apply(active)
    # Regroup only when a waiver removed occurrences: aggregates change with the occurrences.
    remaining = (
        group_findings(waivers.remaining, policy.counting) if waivers.applied else all_groups
    )

    fired = _fire_rules(scope, remaining, now)
    converter = _GroupConverter()
    outcomes = [
        RuleOutcome(
            rule_id=rule.id,
            verdict=rule.verdict,
            message=messages.rule_message(rule.id, groups),
            description=rule.description,
            findings=converter.all(groups),
        )
        for rule, groups in fired
    ]
    waived = len(all_groups) - len(remaining)
    return _FindingsJudged(
        outcomes=outcomes,
        fired={rule.id: groups for rule, groups in fired},
        counts=_counts(all_groups, waived, inactive=len(report.findings) - len(active)),
        waivers_applied=_waiver_uses(book, waivers.applied, policy.counting),
        waivers_expired=_waiver_uses(book, waivers.expired, policy.counting),
    )


def _image_from_report(report: ScanReport) -> ImageRef | None:
    facts = report.image
    if not facts.repository:
        return None
    return ImageRef(repository=facts.repository, digest=facts.digest, tags=facts.tags)


class _GroupConverter:
    """Each group converted once, however many rules it matched."""

    def __init__(self) -> None:
        self._done: dict[int, FindingGroup] = {}

    def all(self, groups: Sequence[Group]) -> tuple[FindingGroup, ...]:
        return tuple(self.one(group) for group in groups)

    def one(self, group: Group) -> FindingGroup:
        found = self._done.get(id(group))
        if found is None:
            found = self._done[id(group)] = group.to_finding_group()
        return found


def _fire_rules(
    scope: Scope, groups: Sequence[Group], now: datetime
) -> list[tuple[Rule, list[Group]]]:
    """The rules that matched at least one group, in policy order, with their groups worst
    first."""
    fired = []
    for rule in scope.rules:
        compiled = compile_rule(rule, now=now)
        matched = [group for group in groups if compiled.matches(group)]
        if matched:
            matched.sort(key=Group.sort_key)
            fired.append((rule, matched))
    return fired


def _image_outcomes(scope: Scope, report: ScanReport) -> list[RuleOutcome]:
    outcomes = []
    facts = report.image
    limit = scope.image.max_size
    if limit is not None and facts.size_bytes is not None and facts.size_bytes > limit.max:
        outcomes.append(
            RuleOutcome(
                rule_id=IMAGE_SIZE,
                verdict=limit.verdict,
                message=messages.size_message(facts.size_bytes, limit.max),
            )
        )
    eol_verdict = scope.image.end_of_life_os
    if eol_verdict is not None and facts.os_end_of_life is True:
        outcomes.append(
            RuleOutcome(
                rule_id=END_OF_LIFE_OS,
                verdict=eol_verdict,
                message=messages.end_of_life_message(facts),
            )
        )
    return outcomes


def _unusable_scan_outcome(report: ScanReport, scope: Scope) -> list[RuleOutcome]:
    """The `no-usable-scan` outcome, unless the policy handles UNKNOWN as a pass."""
    handled = _HANDLED_AS[scope.image.unknown]
    if report.usable or handled is Verdict.PASS:
        return []
    return [
        RuleOutcome(
            rule_id=NO_USABLE_SCAN,
            verdict=RuleVerdict(handled.value.lower()),
            message=messages.unusable_message(report, handled),
        )
    ]


def _verdicts(
    outcomes: Sequence[RuleOutcome], report: ScanReport, scope: Scope
) -> tuple[Verdict, Verdict]:
    """(verdict, outcome): how the image stands, and how that is handled."""
    verdicts = {outcome.verdict for outcome in outcomes}
    if RuleVerdict.FAIL in verdicts:
        return Verdict.FAIL, Verdict.FAIL
    rules_say = Verdict.WARN if RuleVerdict.WARN in verdicts else Verdict.PASS
    if not report.usable:
        return Verdict.UNKNOWN, Verdict.worst([_HANDLED_AS[scope.image.unknown], rules_say])
    return rules_say, rules_say


def _waiver_uses(
    book: WaiverBook, covered: dict[int, list[Finding]], counting: Counting
) -> tuple[WaiverUse, ...]:
    return tuple(
        WaiverUse(
            waiver=book.waivers[position],
            findings=tuple(group.to_finding_group() for group in group_findings(found, counting)),
        )
        for position, found in sorted(covered.items())
    )


def _counts(groups: Sequence[Group], waived: int, *, inactive: int) -> Counts:
    by_severity = dict.fromkeys(Severity, 0)
    by_kind = dict.fromkeys(FindingKind, 0)
    for group in groups:
        by_severity[group.severity] += 1
        by_kind[group.kind] += 1
    return Counts(
        total=len(groups),
        by_severity=by_severity,
        by_kind=by_kind,
        waived=waived,
        inactive=inactive,
    )


__all__ = ["END_OF_LIFE_OS", "IMAGE_SIZE", "NO_USABLE_SCAN", "evaluate", "policy_fingerprint"]
