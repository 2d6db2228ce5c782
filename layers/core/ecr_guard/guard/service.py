"""The guard's flow for one queue record: identify → read → evaluate → record → subject → act →
record → notify when changed.

Every record is an EventBridge-shaped event. What the guard does not handle is logged
("event ignored") and counted, never an error. The per-image work runs under Powertools
idempotency keyed on the business fact (image + scan marker), so a second delivery neither acts
nor notifies; within one batch an image is evaluated once per source. Expected races (the image
was deleted meanwhile) are a WARNING and an acknowledgement; "findings not ready" and every
other failure propagate, so that SQS retries and the dead-letter queue sees what never worked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from ecr_guard.errors import ImageNotFoundError, ImmutableTagError
from ecr_guard.events import (
    EcrImageActionEvent,
    GuardEvent,
    IgnoredEvent,
    classify,
    image_ref,
)
from ecr_guard.guard.config import GuardSettings
from ecr_guard.guard.intake import Intake, Rejected
from ecr_guard.guard.job_reads import JobScopedEcr
from ecr_guard.guard.jobs import ImageJob, JobKind
from ecr_guard.guard.ports import LedgerPort, MetricsPort
from ecr_guard.guard.records import decision_record
from ecr_guard.guard.state import ImageKind, ImageState
from ecr_guard.guard.subjects import Settled, SubjectSettler
from ecr_guard.images import ImageRef
from ecr_guard.policy.decision import Decision
from ecr_guard.policy.evaluate import evaluate
from ecr_guard.policy.matching import select_scope
from ecr_guard.policy.model import Mode, Policy

logger = logging.getLogger(__name__)

Idempotent = Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]
"""Wraps the per-image work so that it runs once per business fact (Powertools idempotency)."""

REPLAYED = "replayed"


@dataclass
class Batch:
    """One SQS batch: the images already evaluated in it."""

    done: set[tuple[str, ...]] = field(default_factory=set)


def _no_idempotency(function: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    return function


class GuardService:
    """The guard's flow; one instance per execution environment."""

    def __init__(
        self,
        *,
        settings: GuardSettings,
        policy: Policy,
        account: str,
        intake: Intake,
        ecr: JobScopedEcr,
        ledger: LedgerPort,
        settler: SubjectSettler,
        metrics: MetricsPort,
        idempotent: Idempotent = _no_idempotency,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self._settings = settings
        self._policy = policy
        self._account = account
        self._intake = intake
        self._ecr = ecr
        self._ledger = ledger
        self._settler = settler
        self._metrics = metrics
        self._clock = clock
        self._run_once = idempotent(self._run_job)

    def handle(self, raw: Mapping[str, Any], batch: Batch) -> dict[str, Any] | None:
        """Process one queue record body; None when there was nothing to evaluate."""
        job = self._job(raw)
        if job is None:
            return None
        if job.batch_key() in batch.done:
            logger.info(
                "already evaluated in this batch",
                extra={"repository": job.key.repository, "digest": job.key.digest},
            )
            return None

        try:
            result = self._run_once(fact=job.fact(), job=job)
        except ImageNotFoundError as error:
            logger.warning(
                "image gone",
                extra={
                    "repository": job.key.repository,
                    "digest": job.key.digest,
                    "error": str(error),
                },
            )
            self._metrics.count("ImagesGone")
            return None
        except ImmutableTagError as error:
            logger.error(
                "quarantine refused",
                extra={
                    "repository": job.key.repository,
                    "digest": job.key.digest,
                    "error": str(error),
                },
            )
            raise
        batch.done.add(job.batch_key())
        if result.get(REPLAYED):
            logger.info(
                "duplicate delivery",
                extra={
                    "repository": job.key.repository,
                    "digest": job.key.digest,
                    "marker": job.marker,
                },
            )
        return result

    def _job(self, raw: Mapping[str, Any]) -> ImageJob | None:
        """The work a record asks for, or None (ignored or rejected, logged and counted)."""
        event = classify(raw)
        if isinstance(event, IgnoredEvent):
            self._ignore(event.reason.value, event.event_id, event.note)
            return None
        refusal = self._refusal(event)
        if refusal:
            self._ignore(refusal, event.id, event.account)
            return None
        job = self._intake.job_for(event)
        if isinstance(job, Rejected):
            logger.warning(
                "report rejected",
                extra={"bucket": job.bucket, "key": job.key, "reason": job.reason},
            )
            self._metrics.count("ReportsRejected")
            return None
        if not self._settings.guards_repository(job.key.repository):
            self._ignore("repository-not-guarded", event.id, job.key.repository)
            return None
        return job

    def _refusal(self, event: GuardEvent) -> str | None:
        if isinstance(event, EcrImageActionEvent):
            return "push-events-go-to-the-push-recorder"
        if event.account != self._account:
            # NOTE: cross-account guarding (member accounts forwarding events to a central
            # guard) is not built: acting there needs a role assumed in the owning account.
            return "other-account"
        named = image_ref(event)
        if named is not None and named.account and named.account != self._account:
            return "other-account"
        return None

    def _ignore(self, reason: str, event_id: str | None, note: str | None) -> None:
        logger.info("event ignored", extra={"reason": reason, "event_id": event_id, "note": note})
        self._metrics.count("EventsIgnored")

    def _run_job(self, *, fact: dict[str, Any], job: ImageJob) -> dict[str, Any]:
        """The per-image work; `fact` is the idempotency key, `job` says how to do it."""
        del fact  # only the idempotency layer reads it
        self._ecr.start_job()
        if job.kind is JobKind.INDEX:
            return self._evaluate_index(job)
        return self._evaluate_image(job)

    def _evaluate_image(self, job: ImageJob) -> dict[str, Any]:
        key = job.key
        state = self._ledger.get(key) or ImageState.empty(key)
        if state.kind is ImageKind.ARTIFACT or state.kind is ImageKind.INDEX:
            self._ignore(f"{state.kind.value}-is-not-judged", job.event_id, key.display())
            return {"ignored": state.kind.value}
        parents = [
            parent
            for digest in sorted(state.parents)
            if (parent := self._ledger.get(key.with_digest(digest))) is not None
        ]
        scoping = self._scoping_tags(job, state, parents)
        image = ImageRef(
            repository=key.repository,
            digest=key.digest,
            tags=scoping,
            account=key.account,
            region=key.region,
        )
        read = job.read
        if read is None:
            raise TypeError("an image job needs a report reader")
        report = read()
        scope = select_scope(self._policy, key.repository, scoping)
        if scope.image.max_size is not None and report.image.size_bytes is None:
            size = self._ecr.describe_image(key).size_bytes
            report = report.model_copy(
                update={"image": report.image.model_copy(update={"size_bytes": size})}
            )
        decision = evaluate(report, self._policy, now=self._clock(), image=image)
        mode = decision.mode or self._settings.mode
        record = decision_record(
            decision, mode=mode, event_id=job.event_id, pusher=report.image.author
        )
        self._ledger.record_decision(key, record, tags=job.event_tags)
        state = state.model_copy(
            update={
                "decisions": {**state.decisions, record.source: record},
                "tags_seen": state.tags_seen | set(job.event_tags),
            }
        )
        self._metrics.count("Decisions", dimensions={"verdict": decision.verdict.value})

        settled = [
            self._settle(subject, mode, decision, job, known=(state,))
            for subject in (parents or [state])
        ]
        primary = settled[0] if settled else None
        self._log_decision(job, decision, mode, scoping, primary, orphan=not (parents or scoping))
        return _result(decision.verdict.value, decision.outcome.value, primary)

    def _settle(
        self,
        subject: ImageState,
        mode: Mode,
        decision: Decision | None,
        job: ImageJob,
        known: tuple[ImageState, ...] = (),
    ) -> Settled:
        verdict = self._settler.judge(subject, known)
        if not subject.parents and not subject.tags_seen and subject.kind is not ImageKind.INDEX:
            # An untagged image the ledger knows no index for may be a platform image whose
            # index push is not recorded yet: it is never acted on alone. The index's
            # "evaluate index" request judges it once the push recorder has seen the index.
            # NOTE: an image pushed by digest only, outside any index, is therefore recorded
            # but neither quarantined nor notified.
            verdict = replace(verdict, pending=True)
        return self._settler.settle(
            subject, verdict, mode=mode, decision=decision, event_id=job.event_id
        )

    def _evaluate_index(self, job: ImageJob) -> dict[str, Any]:
        state = self._ledger.get(job.key)
        if state is None or state.kind is not ImageKind.INDEX:
            self._ignore("index-not-recorded", job.event_id, job.key.display())
            return {"ignored": "index-not-recorded"}
        tags = tuple(sorted(state.tags_seen | set(job.event_tags)))
        scope = select_scope(self._policy, job.key.repository, tags)
        mode = scope.mode or self._settings.mode
        settled = self._settle(state, mode, None, job)
        verdict = settled.verdict
        logger.info(
            "decision",
            extra={
                "repository": job.key.repository,
                "digest": job.key.digest,
                "tags": list(tags),
                "verdict": verdict.verdict.value,
                "outcome": verdict.outcome.value,
                "rule_ids": list(verdict.rule_ids),
                "mode": mode.value,
                "action": settled.action.kind.value,
                "performed": settled.action.performed,
                "source": job.kind.value,
                "policy_fingerprint": verdict.worst.fingerprint if verdict.worst else None,
                "pending": settled.pending,
                "undecided": list(verdict.undecided),
                "notified": settled.notified,
            },
        )
        return _result(verdict.verdict.value, verdict.outcome.value, settled)

    def _scoping_tags(
        self, job: ImageJob, state: ImageState, parents: list[ImageState]
    ) -> tuple[str, ...]:
        """The tags a rule set is matched on: the image's own, or for a platform image the
        tags of its index."""
        if parents:
            return tuple(sorted({tag for parent in parents for tag in parent.tags_seen}))
        return tuple(sorted(set(job.event_tags) | state.tags_seen))

    def _log_decision(
        self,
        job: ImageJob,
        decision: Decision,
        mode: Mode,
        tags: tuple[str, ...],
        settled: Settled | None,
        *,
        orphan: bool,
    ) -> None:
        action = settled.action if settled else None
        subject = settled.subject.key.digest if settled else job.key.digest
        logger.info(
            "decision",
            extra={
                "repository": job.key.repository,
                "digest": job.key.digest,
                "tags": list(tags),
                "verdict": decision.verdict.value,
                "outcome": decision.outcome.value,
                "rule_ids": [rule.rule_id for rule in decision.rules],
                "mode": mode.value,
                "action": action.kind.value if action else "none",
                "performed": bool(action and action.performed),
                "source": decision.report.source.value,
                "policy_fingerprint": decision.policy_fingerprint,
                "subject": subject,
                "subject_verdict": settled.verdict.verdict.value if settled else None,
                "pending": bool(settled and settled.pending),
                "untagged_without_index": orphan,
                "notified": bool(settled and settled.notified),
                "event_id": job.event_id,
            },
        )


def _result(verdict: str, outcome: str, settled: Settled | None) -> dict[str, Any]:
    """What the idempotency layer stores, and returns again to a duplicate delivery."""
    return {
        "verdict": verdict,
        "outcome": outcome,
        "subject": settled.subject.key.digest if settled else None,
        "action": settled.action.kind.value if settled else "none",
        "performed": bool(settled and settled.action.performed),
        "pending": bool(settled and settled.pending),
        "notified": bool(settled and settled.notified),
    }
