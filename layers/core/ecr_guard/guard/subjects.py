"""The subject of a decision, and what happens to it: act, record, notify when it changed.

The subject is the image itself or, when the ledger knows the digest is a child of an index,
the index: a child is never acted on alone. The subject's verdict is the worst of its members'
latest decisions; an index with undecided children and no FAIL yet is pending (no action, no
notification: the missing children's scans complete it).

Nothing is said twice: a decision is only looked at when the subject's key (verdict, outcome,
failing finding ids, quarantined or not) differs from the last one settled; a first clean PASS
has the key of "never settled" and only updates its tag's record (one write). A decision that
differs is compared with the previous decision for the same image, or for a new digest with the
last decision for its tag (one GetItem), and published
when `ecr_guard.guard.changes` says it is news. The settled decision is remembered on the image
and, conditionally, on its tag, whether it was published or not.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ecr_guard.guard.changes import Comparison, Previous, action_taken, compare, should_notify
from ecr_guard.guard.config import GuardSettings
from ecr_guard.guard.messages import build_notification
from ecr_guard.guard.multiarch import SubjectVerdict, judge_image, judge_index
from ecr_guard.guard.notification import Baseline
from ecr_guard.guard.outcome import ActionKind, ActionReport, PlatformVerdict
from ecr_guard.guard.ports import EcrPort, LedgerPort, MetricsPort, PublisherPort
from ecr_guard.guard.quarantine import Quarantiner, action_details
from ecr_guard.guard.records import decision_from_record
from ecr_guard.guard.routing import resolve_route
from ecr_guard.guard.state import ImageKind, ImageState, SettledDecision, TagKey, TagRecord
from ecr_guard.images import ImageRef
from ecr_guard.policy.decision import Decision, Verdict
from ecr_guard.policy.model import Mode, Notifications

logger = logging.getLogger(__name__)

_KEY_SEPARATOR = "|"


@dataclass(frozen=True)
class Settled:
    """What became of one subject after an evaluation."""

    subject: ImageState
    verdict: SubjectVerdict
    action: ActionReport
    notified: bool

    @property
    def pending(self) -> bool:
        return self.verdict.pending


@dataclass(frozen=True)
class _Context:
    mode: Mode
    decision: Decision | None
    event_id: str


def notification_key(verdict: SubjectVerdict, quarantined: bool) -> str:
    """What a notification is about; equal keys mean nothing new to say."""
    findings = hashlib.sha256("\n".join(verdict.failing_ids).encode()).hexdigest()[:16]
    state = "quarantined" if quarantined else "free"
    parts = (verdict.verdict.value, verdict.outcome.value, findings, state)
    return _KEY_SEPARATOR.join(parts)


QUIET_KEY = notification_key(SubjectVerdict(Verdict.PASS, Verdict.PASS, pending=False), False)


class SubjectSettler:
    """Judges a subject from the ledger, acts on it, records and notifies."""

    def __init__(
        self,
        *,
        settings: GuardSettings,
        ecr: EcrPort,
        ledger: LedgerPort,
        publisher: PublisherPort,
        metrics: MetricsPort,
        quarantiner: Quarantiner,
        clock: Callable[[], datetime],
        routing: Notifications | None = None,
    ):
        self._settings = settings
        self._routing = routing
        self._ecr = ecr
        self._ledger = ledger
        self._publisher = publisher
        self._metrics = metrics
        self._quarantiner = quarantiner
        self._clock = clock

    def judge(self, subject: ImageState, known: Sequence[ImageState] = ()) -> SubjectVerdict:
        """The subject's verdict now; `known` are fresher states than the ledger's."""
        if subject.kind is not ImageKind.INDEX:
            return judge_image(subject)
        fresh = {state.key.digest: state for state in known}
        children = {
            child.digest: fresh.get(child.digest)
            or self._ledger.get(subject.key.with_digest(child.digest))
            for child in subject.members
        }
        return judge_index(subject, children)

    def settle(
        self,
        subject: ImageState,
        verdict: SubjectVerdict,
        *,
        mode: Mode,
        decision: Decision | None,
        event_id: str,
    ) -> Settled:
        """Act on a judged subject, then notify if its decision is news."""
        if verdict.pending:
            return Settled(subject, verdict, ActionReport(), notified=False)
        now = self._clock()
        action = self._act(subject, verdict, mode, now)
        quarantined = _quarantined_after(subject, action)
        key = notification_key(verdict, quarantined)
        image = self._shown(subject, action)
        if key == (subject.last_notified or QUIET_KEY) and not self._first_pass_is_news(subject):
            if subject.last_notified is None:
                # A first clean PASS is not published, but its tag learns of it (one write), so
                # that a later digest failing as the tag's last failure did is news again.
                self._remember_tag(
                    subject, image, _settled(subject, verdict, now, notified=False), now
                )
            return Settled(subject, verdict, action, notified=False)

        if not action.performed and action.kind is not ActionKind.NONE:
            # Audit mode: the ledger says what would have been done.
            self._ledger.record_action(
                subject.key, kind=action.kind.value, at=now, details=action_details(action)
            )
        current = _settled(subject, verdict, now, notified=False)
        comparison = compare(self._previous(subject, image, action, current), current, action)
        notified = should_notify(comparison, current, self._settings)
        if notified:
            context = _Context(mode=mode, decision=decision, event_id=event_id)
            self._notify(subject, verdict, action, context, comparison)
        remembered = current.model_copy(update={"notified": notified})
        self._ledger.set_notified(subject.key, key, remembered)
        self._remember_tag(subject, image, remembered, now)
        return Settled(subject, verdict, action, notified=notified)

    def _shown(self, subject: ImageState, action: ActionReport) -> ImageRef:
        """The subject as messages name it: its tags without the guard's quarantine tags (the
        push recorder sees the guard's own PutImage as a push)."""
        image = subject_image(subject, action)
        tags = tuple(tag for tag in image.tags if not self._settings.is_guard_tag(tag))
        return image.model_copy(update={"tags": tags})

    def _compared_tag(self, image: ImageRef) -> str | None:
        """The tag a new digest is compared on: its first in sort order, not the verified tag
        (which many digests share)."""
        return next((tag for tag in image.tags if tag != self._settings.verified_tag), None)

    def _first_pass_is_news(self, subject: ImageState) -> bool:
        """With PASS in ECR_GUARD_NOTIFY_ON, a first clean PASS is settled like any decision."""
        return subject.last_notified is None and Verdict.PASS in self._settings.notify_on

    def _previous(
        self,
        subject: ImageState,
        image: ImageRef,
        action: ActionReport,
        current: SettledDecision,
    ) -> Previous:
        """This image's previous decision; for its first one, the last for its tag, read only
        when the decision could be published."""
        if subject.last_settled is not None:
            return Previous(subject.last_settled, Baseline.IMAGE)
        tag = self._compared_tag(image)
        wanted = self._settings.notifies(current.verdict, current.outcome) or action_taken(action)
        if tag is None or not wanted:
            return Previous(None, Baseline.NONE)
        record = self._ledger.get_tag(_tag_key(subject, tag))
        return Previous(record.decision if record else None, Baseline.TAG, tag)

    def _remember_tag(
        self, subject: ImageState, image: ImageRef, settled: SettledDecision, now: datetime
    ) -> None:
        """The tag's record follows its newest push: an older digest re-evaluated later never
        takes it over (the ledger's write is conditional on the push time)."""
        tag = self._compared_tag(image)
        if tag is None:
            return
        pushed = subject.pushed_at
        if pushed is None and subject.last_notified is None:
            # A push the recorder never saw, decided for the first time: most likely the newest.
            pushed = now
        self._ledger.save_tag(
            TagRecord(key=_tag_key(subject, tag), decision=settled, pushed_at=pushed)
        )

    def _act(
        self, subject: ImageState, verdict: SubjectVerdict, mode: Mode, now: datetime
    ) -> ActionReport:
        if verdict.outcome is Verdict.FAIL:
            return self._act_on_failure(subject, verdict, mode, now)
        if subject.quarantined:
            return self._release(subject, verdict, mode, now)
        if mode is Mode.ENFORCE and verdict.outcome is Verdict.PASS and self._settings.verified_tag:
            return self._quarantiner.add_verified_tag(subject, now=now)
        return ActionReport()

    def _act_on_failure(
        self, subject: ImageState, verdict: SubjectVerdict, mode: Mode, now: datetime
    ) -> ActionReport:
        if mode is Mode.ENFORCE:
            action = self._quarantiner.quarantine(
                subject, mode=mode, rule_ids=verdict.rule_ids, now=now
            )
            if action.performed:
                self._metrics.count("Quarantines")
            return action
        if subject.quarantined:
            return ActionReport(kind=ActionKind.QUARANTINE, already_done=True)
        return self._quarantiner.plan_quarantine(subject)

    def _release(
        self, subject: ImageState, verdict: SubjectVerdict, mode: Mode, now: datetime
    ) -> ActionReport:
        if mode is not Mode.ENFORCE:
            return self._quarantiner.plan_release(subject)
        action = self._quarantiner.release(subject, now=now, by="guard")
        self._metrics.count("Releases")
        if verdict.outcome is Verdict.PASS and self._settings.verified_tag:
            released = self._ledger.get(subject.key) or subject
            verified = self._quarantiner.add_verified_tag(released, now=now)
            action = action.model_copy(update={"verified_tag": verified.verified_tag})
        return action

    def _notify(
        self,
        subject: ImageState,
        verdict: SubjectVerdict,
        action: ActionReport,
        context: _Context,
        comparison: Comparison,
    ) -> None:
        image = self._shown(subject, action)
        decision = context.decision
        if decision is None:
            decision = decision_from_record(subject, verdict, image, self._clock())
        route = resolve_route(
            self._routing,
            subject.key.repository,
            owner_tag=self._settings.owner_tag,
            repository_tags=lambda: self._ecr.repository_tags(subject.key),
        )
        changes = comparison.notified()
        message = build_notification(
            decision,
            image=image,
            action=action,
            mode=context.mode,
            team=route.team,
            event_id=context.event_id,
            previous_verdict=changes.previous_verdict or previous_verdict(subject.last_notified),
            platforms=tuple(
                PlatformVerdict(
                    platform=member.platform or "unknown",
                    digest=member.digest,
                    verdict=member.verdict,
                )
                for member in verdict.members
            ),
            image_kind=subject.kind or ImageKind.IMAGE,
            verdict=verdict.verdict,
            outcome=verdict.outcome,
            route=route,
            changes=changes,
            pusher=_pusher(subject, verdict),
        )
        self._publisher.publish(
            subject=message.subject,
            message=message.message,
            attributes=message.attributes,
            message_structure=message.message_structure,
        )


def subject_image(subject: ImageState, action: ActionReport) -> ImageRef:
    """The subject as notifications name it, with the tags people know it by."""
    quarantine = subject.quarantine
    if quarantine is not None and quarantine.removed_tags:
        tags = sorted(quarantine.removed_tags)
    else:
        tags = sorted(set(subject.tags_seen) | set(action.tags_removed))
    key = subject.key
    return ImageRef(
        repository=key.repository,
        digest=key.digest,
        tags=tuple(tag for tag in tags if tag),
        account=key.account,
        region=key.region,
    )


def previous_verdict(last_notified: str | None) -> Verdict | None:
    if not last_notified:
        return None
    head = last_notified.split(_KEY_SEPARATOR, 1)[0]
    return Verdict(head) if head in Verdict.__members__ else None


def _settled(
    subject: ImageState, verdict: SubjectVerdict, now: datetime, *, notified: bool
) -> SettledDecision:
    return SettledDecision.of(
        verdict=verdict.verdict,
        outcome=verdict.outcome,
        digest=subject.key.digest,
        failing_ids=verdict.failing_ids,
        at=now,
        notified=notified,
    )


def _tag_key(subject: ImageState, tag: str) -> TagKey:
    key = subject.key
    return TagKey(account=key.account, region=key.region, repository=key.repository, tag=tag)


def _pusher(subject: ImageState, verdict: SubjectVerdict) -> str | None:
    """Who pushed the image, where a scanner said so (Inspector's image author).

    NOTE: the pusher's identity from CloudTrail (the PutImage caller) is not read: that needs a
    CloudTrail lookup or trail per account; Inspector's author is what the guard has today.
    """
    if verdict.worst is not None and verdict.worst.pusher:
        return verdict.worst.pusher
    return next((record.pusher for record in subject.decisions.values() if record.pusher), None)


def _quarantined_after(subject: ImageState, action: ActionReport) -> bool:
    if action.kind is ActionKind.QUARANTINE and (action.performed or action.already_done):
        return True
    if action.kind is ActionKind.RELEASE and action.performed:
        return False
    return subject.quarantined
