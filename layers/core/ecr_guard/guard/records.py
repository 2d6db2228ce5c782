"""A decision as the ledger keeps it, and back: the record holds what judging a subject later
needs (verdicts, rules, failing finding ids, counts), never the findings themselves."""

from __future__ import annotations

from datetime import datetime

from ecr_guard.findings.model import FindingKind, ReportSource, ScanStatus, Severity
from ecr_guard.guard.multiarch import SubjectVerdict
from ecr_guard.guard.state import DecisionRecord, ImageState, RuleRecord
from ecr_guard.images import ImageRef
from ecr_guard.policy.decision import Counts, Decision, ReportSummary, RuleOutcome
from ecr_guard.policy.model import Mode, RuleVerdict

_MESSAGE_LIMIT = 300
LEDGER_FORMAT = "ecr-guard ledger"


def decision_record(
    decision: Decision, *, mode: Mode, event_id: str | None, pusher: str | None = None
) -> DecisionRecord:
    """What the ledger keeps of `decision`, evaluated in effective mode `mode`; `pusher` is who
    pushed the image, where the report says (Inspector's image author)."""
    failing = sorted(
        {
            group.id
            for rule in decision.rules
            if rule.verdict is RuleVerdict.FAIL
            for group in rule.findings
        }
        | {rule.rule_id for rule in decision.rules if rule.verdict is RuleVerdict.FAIL}
    )
    return DecisionRecord(
        source=decision.report.source,
        verdict=decision.verdict,
        outcome=decision.outcome,
        fingerprint=decision.policy_fingerprint,
        at=decision.evaluated_at,
        rules=tuple(
            RuleRecord(id=rule.rule_id, verdict=rule.verdict, message=rule.message[:_MESSAGE_LIMIT])
            for rule in decision.rules
        ),
        failing_ids=tuple(failing),
        by_severity={level: count for level, count in decision.counts.by_severity.items() if count},
        mode=mode,
        rule_set=decision.rule_set,
        summary=decision.summary,
        origin=decision.report.origin,
        report_format=decision.report.format,
        scan_status=decision.report.status,
        event_id=event_id,
        pusher=pusher[:_MESSAGE_LIMIT] if pusher else None,
    )


def decision_from_record(
    subject: ImageState, verdict: SubjectVerdict, image: ImageRef, now: datetime
) -> Decision:
    """A decision rebuilt from the ledger, for a subject judged without a new report (an index
    whose children were all decided earlier): rules and counts, no finding listings."""
    record = verdict.worst
    by_severity = dict.fromkeys(Severity, 0) | dict(record.by_severity if record else {})
    return Decision(
        verdict=verdict.verdict,
        outcome=verdict.outcome,
        summary=record.summary if record else "Judged from the platform images' decisions.",
        image=image,
        rule_set=record.rule_set if record else "default",
        rules=tuple(
            RuleOutcome(rule_id=rule.id, verdict=rule.verdict, message=rule.message or rule.id)
            for rule in (record.rules if record else ())
        ),
        counts=Counts(
            total=sum(by_severity.values()),
            by_severity=by_severity,
            by_kind=dict.fromkeys(FindingKind, 0),
        ),
        policy_fingerprint=record.fingerprint if record else "",
        evaluated_at=record.at if record else now,
        report=ReportSummary(
            source=record.source if record else ReportSource.ECR_BASIC,
            origin=record.origin if record else f"ledger {subject.key.display()}",
            format=LEDGER_FORMAT,
            status=record.scan_status if record else ScanStatus.COMPLETE,
        ),
    )
