"""Only what changed: a decision is compared with the previous one for the same image, or for a
new digest, with the last one for the same repository and tag.

A decision is published when the guard quarantined or released the subject (or tried and
failed), or when its verdict or outcome is one of ECR_GUARD_NOTIFY_ON and it is news: the first
decision, a new verdict or outcome, or failing finding ids that were not failing before. The same
decision again, or one where findings only went away under the same verdict, stays quiet.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecr_guard.guard.config import GuardSettings
from ecr_guard.guard.notification import Baseline, NotifiedChanges, NotifyReason
from ecr_guard.guard.outcome import ActionKind, ActionReport
from ecr_guard.guard.state import SettledDecision

LISTED_IDS = 50
"""Ids listed per kind of change; the totals count them all."""
NEWS = frozenset(
    {NotifyReason.FIRST_DECISION, NotifyReason.VERDICT_CHANGED, NotifyReason.NEW_FAILING_FINDINGS}
)


@dataclass(frozen=True)
class Previous:
    """The decision the current one is compared with, and what it was about."""

    decision: SettledDecision | None
    baseline: Baseline
    tag: str | None = None


@dataclass(frozen=True)
class Comparison:
    previous: Previous
    reasons: tuple[NotifyReason, ...]
    new_failing: tuple[str, ...]
    no_longer_failing: tuple[str, ...]

    def notified(self) -> NotifiedChanges:
        """The `changes` section of the notification."""
        before = self.previous.decision
        return NotifiedChanges(
            baseline=self.previous.baseline,
            tag=self.previous.tag,
            reasons=self.reasons,
            previous_verdict=before.verdict if before else None,
            previous_outcome=before.outcome if before else None,
            previous_digest=before.digest if before else None,
            previous_at=before.at if before else None,
            new_failing=self.new_failing[:LISTED_IDS],
            new_failing_total=len(self.new_failing),
            no_longer_failing=self.no_longer_failing[:LISTED_IDS],
            no_longer_failing_total=len(self.no_longer_failing),
        )


def action_taken(action: ActionReport) -> bool:
    """A quarantine or release done (or failed): always worth telling, whatever the verdict."""
    if action.kind not in (ActionKind.QUARANTINE, ActionKind.RELEASE):
        return False
    return action.performed or action.failed


def compare(previous: Previous, current: SettledDecision, action: ActionReport) -> Comparison:
    before = previous.decision
    reasons: list[NotifyReason] = []
    if action_taken(action):
        reasons.append(NotifyReason.ACTION)
    if before is None:
        # Everything failing is listed as findings anyway: nothing is "new" against nothing.
        reasons.append(NotifyReason.FIRST_DECISION)
        return Comparison(previous, tuple(reasons), (), ())
    if (before.verdict, before.outcome) != (current.verdict, current.outcome):
        reasons.append(NotifyReason.VERDICT_CHANGED)
    new = _new_ids(before, current)
    if new:
        reasons.append(NotifyReason.NEW_FAILING_FINDINGS)
    gone = tuple(sorted(set(before.failing_ids) - set(current.failing_ids)))
    return Comparison(previous, tuple(reasons), new, gone)


def should_notify(
    comparison: Comparison, current: SettledDecision, settings: GuardSettings
) -> bool:
    if NotifyReason.ACTION in comparison.reasons:
        return True
    if not settings.notifies(current.verdict, current.outcome):
        return False
    return not NEWS.isdisjoint(comparison.reasons)


def _new_ids(before: SettledDecision, current: SettledDecision) -> tuple[str, ...]:
    """Ids failing now and not before. When the previous list was cut short (it keeps the first
    ids in sort order), ids sorting after its last one cannot be told new, so are not claimed."""
    known = set(before.failing_ids)
    horizon = before.failing_ids[-1] if before.more_failing and before.failing_ids else None
    return tuple(
        found
        for found in current.failing_ids
        if found not in known and (horizon is None or found < horizon)
    )
