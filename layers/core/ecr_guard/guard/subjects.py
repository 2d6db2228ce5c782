"""The subject of a decision, and what happens to it: act, record, notify when it changed.

The subject is the image itself or, when the ledger knows the digest is a child of an index,
the index: a child is never acted on alone. The subject's verdict is the worst of its members'
latest decisions; an index with undecided children and no FAIL yet is pending (no action, no
notification: the missing children's scans complete it).

A notification is sent only when the subject's notification key (verdict, outcome, failing
finding ids, quarantined or not) differs from the last one notified. A first clean PASS is not
news: the key of "never notified" is that of a PASS with nothing failing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ecr_guard.guard.config import GuardSettings
from ecr_guard.guard.messages import UNKNOWN_TEAM, build_notification
from ecr_guard.guard.multiarch import SubjectVerdict, judge_image, judge_index
from ecr_guard.guard.outcome import ActionKind, ActionReport, PlatformVerdict
from ecr_guard.guard.ports import EcrPort, LedgerPort, MetricsPort, PublisherPort
from ecr_guard.guard.quarantine import Quarantiner, action_details
from ecr_guard.guard.records import decision_from_record
from ecr_guard.guard.state import ImageKind, ImageState
from ecr_guard.images import ImageRef
from ecr_guard.policy.decision import Decision, Verdict
from ecr_guard.policy.model import Mode

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
    ):
        self._settings = settings
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
        """Act on a judged subject, then notify if its decision changed."""
        if verdict.pending:
            return Settled(subject, verdict, ActionReport(), notified=False)
        now = self._clock()
        action = self._act(subject, verdict, mode, now)
        quarantined = _quarantined_after(subject, action)
        key = notification_key(verdict, quarantined)
        if key == (subject.last_notified or QUIET_KEY):
            return Settled(subject, verdict, action, notified=False)

        if not action.performed and action.kind is not ActionKind.NONE:
            # Audit mode: the ledger says what would have been done.
            self._ledger.record_action(
                subject.key, kind=action.kind.value, at=now, details=action_details(action)
            )
        self._notify(
            subject, verdict, action, _Context(mode=mode, decision=decision, event_id=event_id)
        )
        self._ledger.set_notified(subject.key, key)
        return Settled(subject, verdict, action, notified=True)

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
        self, subject: ImageState, verdict: SubjectVerdict, action: ActionReport, context: _Context
    ) -> None:
        image = subject_image(subject, action)
        decision = context.decision
        if decision is None:
            decision = decision_from_record(subject, verdict, image, self._clock())
        team = self._ecr.repository_tags(subject.key).get(self._settings.owner_tag)
        message = build_notification(
            decision,
            image=image,
            action=action,
            mode=context.mode,
            team=team or UNKNOWN_TEAM,
            event_id=context.event_id,
            previous_verdict=previous_verdict(subject.last_notified),
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


def _quarantined_after(subject: ImageState, action: ActionReport) -> bool:
    if action.kind is ActionKind.QUARANTINE and (action.performed or action.already_done):
        return True
    if action.kind is ActionKind.RELEASE and action.performed:
        return False
    return subject.quarantined
