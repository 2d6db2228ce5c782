"""Only what changed: the comparison with the previous decision, and when it is published."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ecr_guard.guard.changes import LISTED_IDS, Previous, compare, should_notify
from ecr_guard.guard.config import GuardSettings, QuarantineMethod
from ecr_guard.guard.notification import Baseline, NotifyReason
from ecr_guard.guard.outcome import ActionKind, ActionReport
from ecr_guard.guard.state import MAX_REMEMBERED_IDS, SettledDecision
from ecr_guard.policy.decision import Verdict

AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
DIGEST = "sha256:" + "a" * 64
OTHER_DIGEST = "sha256:" + "b" * 64
NOTHING = ActionReport()
QUARANTINED = ActionReport(
    kind=ActionKind.QUARANTINE, performed=True, method=QuarantineMethod.RETAG
)
DEFAULTS = GuardSettings()


def settled(
    verdict: Verdict, *ids: str, outcome: Verdict | None = None, digest: str = DIGEST
) -> SettledDecision:
    return SettledDecision.of(
        verdict=verdict,
        outcome=outcome or verdict,
        digest=digest,
        failing_ids=ids,
        at=AT,
        notified=True,
    )


def against(decision: SettledDecision | None) -> Previous:
    return Previous(decision, Baseline.TAG if decision else Baseline.NONE, "1.2.3")


def test_first_decision_is_news_with_nothing_listed_as_new() -> None:
    current = settled(Verdict.FAIL, "CVE-1")

    comparison = compare(against(None), current, NOTHING)

    assert comparison.reasons == (NotifyReason.FIRST_DECISION,)
    assert comparison.new_failing == ()
    assert should_notify(comparison, current, DEFAULTS)


def test_the_same_decision_is_not_news() -> None:
    current = settled(Verdict.FAIL, "CVE-1", "CVE-2", digest=OTHER_DIGEST)

    comparison = compare(against(settled(Verdict.FAIL, "CVE-1", "CVE-2")), current, NOTHING)

    assert comparison.reasons == ()
    assert not should_notify(comparison, current, DEFAULTS)


def test_findings_that_went_away_under_the_same_verdict_are_not_news() -> None:
    current = settled(Verdict.FAIL, "CVE-1")

    comparison = compare(against(settled(Verdict.FAIL, "CVE-1", "CVE-2")), current, NOTHING)

    assert comparison.no_longer_failing == ("CVE-2",)
    assert not should_notify(comparison, current, DEFAULTS)


def test_a_new_failing_finding_is_news_and_named() -> None:
    current = settled(Verdict.FAIL, "CVE-1", "CVE-3")

    comparison = compare(against(settled(Verdict.FAIL, "CVE-1", "CVE-2")), current, NOTHING)

    assert comparison.reasons == (NotifyReason.NEW_FAILING_FINDINGS,)
    assert comparison.new_failing == ("CVE-3",)
    assert comparison.no_longer_failing == ("CVE-2",)
    assert should_notify(comparison, current, DEFAULTS)


def test_a_new_outcome_is_a_new_verdict() -> None:
    current = settled(Verdict.UNKNOWN, outcome=Verdict.FAIL)

    comparison = compare(against(settled(Verdict.UNKNOWN, outcome=Verdict.WARN)), current, NOTHING)

    assert comparison.reasons == (NotifyReason.VERDICT_CHANGED,)


@pytest.mark.parametrize(
    ("notify_on", "verdict", "outcome", "published"),
    [
        ("FAIL,WARN,UNKNOWN", Verdict.PASS, Verdict.PASS, False),
        ("FAIL,WARN,UNKNOWN,PASS", Verdict.PASS, Verdict.PASS, True),
        ("FAIL", Verdict.WARN, Verdict.WARN, False),
        ("FAIL", Verdict.UNKNOWN, Verdict.FAIL, True),
        ("UNKNOWN", Verdict.UNKNOWN, Verdict.PASS, True),
    ],
)
def test_notify_on_lists_the_verdicts_or_outcomes_that_are_published(
    notify_on: str, verdict: Verdict, outcome: Verdict, published: bool
) -> None:
    settings = GuardSettings.from_environ({"ECR_GUARD_NOTIFY_ON": notify_on}, role="cli")
    current = settled(verdict, outcome=outcome)

    comparison = compare(against(settled(Verdict.FAIL, "CVE-1")), current, NOTHING)

    assert should_notify(comparison, current, settings) is published


def test_a_quarantine_is_published_whatever_the_settings() -> None:
    settings = GuardSettings.from_environ({"ECR_GUARD_NOTIFY_ON": "PASS"}, role="cli")
    current = settled(Verdict.FAIL, "CVE-1", digest=OTHER_DIGEST)

    comparison = compare(against(settled(Verdict.FAIL, "CVE-1")), current, QUARANTINED)

    assert comparison.reasons == (NotifyReason.ACTION,)
    assert should_notify(comparison, current, settings)


def test_a_quarantine_that_would_only_happen_in_audit_mode_is_no_news_by_itself() -> None:
    planned = ActionReport(kind=ActionKind.QUARANTINE, method=QuarantineMethod.RETAG)
    current = settled(Verdict.FAIL, "CVE-1", digest=OTHER_DIGEST)

    comparison = compare(against(settled(Verdict.FAIL, "CVE-1")), current, planned)

    assert comparison.reasons == ()


def test_a_failed_quarantine_is_published() -> None:
    failed = ActionReport(kind=ActionKind.QUARANTINE, error="ImageTagAlreadyExistsException")
    current = settled(Verdict.FAIL, "CVE-1")

    comparison = compare(against(settled(Verdict.FAIL, "CVE-1")), current, failed)

    assert should_notify(comparison, current, DEFAULTS)


def test_ids_beyond_a_cut_short_previous_list_are_not_claimed_as_new() -> None:
    kept = [f"CVE-2026-{number:05d}" for number in range(MAX_REMEMBERED_IDS + 10)]
    before = settled(Verdict.FAIL, *kept)
    current = settled(Verdict.FAIL, *kept, "CVE-2026-99999", "CVE-2000-00001")

    comparison = compare(against(before), current, NOTHING)

    assert before.more_failing == 10
    assert comparison.new_failing == ("CVE-2000-00001",)


def test_the_published_changes_list_at_most_fifty_ids_and_count_them_all() -> None:
    current = settled(Verdict.FAIL, *(f"CVE-{number:04d}" for number in range(80)))

    comparison = compare(against(settled(Verdict.FAIL, "CVE-9999")), current, NOTHING)
    changes = comparison.notified()

    assert len(changes.new_failing) == LISTED_IDS
    assert changes.new_failing_total == 80
    assert changes.no_longer_failing == ("CVE-9999",)
    assert changes.previous_digest == DIGEST
    assert changes.previous_verdict is Verdict.FAIL
