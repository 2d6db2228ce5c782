"""The push recorder: what every push adds to the ledger, and the index hand-over to the guard.

For each successful push it reads the manifest once (BatchGetImage by digest) to tell an image
from an index or a referrer artifact, records it with its tag, and for an index records each
child (with its platform) and each child's parent. An index is then sent to the guard queue as
an "evaluate index" request: its children may all have been scanned before the index push was
recorded, and no further scan event would judge it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ecr_guard.errors import ImageNotFoundError
from ecr_guard.events import EcrImageActionEvent, EvaluateIndexRequest, IgnoredEvent, classify
from ecr_guard.guard.config import GuardSettings
from ecr_guard.guard.multiarch import ManifestFacts, describe_manifest
from ecr_guard.guard.ports import EcrPort, LedgerPort, MetricsPort, QueuePort
from ecr_guard.guard.state import ImageKey, ImageKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushRecord:
    """What the recorder did with one event (for the handler's log and tests)."""

    recorded: bool
    kind: ImageKind | None = None
    children: int = 0
    queued: bool = False
    ignored: str | None = None


class PushRecorder:
    """Records pushes; one instance per execution environment."""

    def __init__(
        self,
        *,
        settings: GuardSettings,
        ecr: EcrPort,
        ledger: LedgerPort,
        queue: QueuePort,
        metrics: MetricsPort,
        account: str,
    ):
        self._settings = settings
        self._ecr = ecr
        self._ledger = ledger
        self._queue = queue
        self._metrics = metrics
        self._account = account

    def handle(self, raw: dict[str, object]) -> PushRecord:
        event = classify(raw)
        if isinstance(event, IgnoredEvent):
            return self._ignored(event.reason.value, event.event_id, note=event.note)
        if not isinstance(event, EcrImageActionEvent):
            return self._ignored("not-a-push", event.id)
        if event.account != self._account:
            # NOTE: cross-account guarding (a central guard for an Organization) is not built:
            # acting in another account needs a role assumed there.
            return self._ignored("other-account", event.id, note=event.account)
        repository = event.detail.repository_name
        if not self._settings.guards_repository(repository):
            return self._ignored("repository-not-guarded", event.id, note=repository)
        return self._record(event)

    def _record(self, event: EcrImageActionEvent) -> PushRecord:
        key = ImageKey(
            account=event.account,
            region=event.region,
            repository=event.detail.repository_name,
            digest=event.detail.image_digest,
        )
        try:
            manifest = self._ecr.get_manifest(key)
        except ImageNotFoundError:
            logger.warning("image gone", extra={"repository": key.repository, "digest": key.digest})
            self._metrics.count("ImagesGone")
            return PushRecord(recorded=False, ignored="image-gone")

        facts = describe_manifest(manifest)
        tag = event.detail.image_tag
        self._ledger.record_push(
            key,
            tags=(tag,) if tag else (),
            pushed_at=event.occurred_at,
            media_type=manifest.media_type,
            kind=facts.kind,
            children=facts.children,
        )
        queued = False
        if facts.kind is ImageKind.INDEX:
            # Only members are judged for the index: a build attestation or a nested index needs
            # no link back to it, which saves a write per attestation on every buildx push.
            for child in facts.children:
                if child.is_member:
                    self._ledger.add_parent(key.with_digest(child.digest), key.digest)
            queued = self._request_evaluation(event, key, facts)
        self._metrics.count("PushesRecorded")
        logger.info(
            "push recorded",
            extra={
                "repository": key.repository,
                "digest": key.digest,
                "tag": tag,
                "kind": facts.kind.value,
                "children": len(facts.children),
            },
        )
        return PushRecord(
            recorded=True, kind=facts.kind, children=len(facts.children), queued=queued
        )

    def _request_evaluation(
        self, event: EcrImageActionEvent, key: ImageKey, facts: ManifestFacts
    ) -> bool:
        if not any(child.is_member for child in facts.children):
            return False
        tag = event.detail.image_tag
        request = EvaluateIndexRequest.create(
            account=key.account,
            region=key.region,
            repository=key.repository,
            index_digest=key.digest,
            pushed_at=event.time,
            tags=(tag,) if tag else (),
            push_event_id=event.id,
        )
        self._queue.send(request.to_message())
        return True

    def _ignored(self, reason: str, event_id: str | None, *, note: str | None = None) -> PushRecord:
        logger.info("event ignored", extra={"reason": reason, "event_id": event_id, "note": note})
        self._metrics.count("EventsIgnored")
        return PushRecord(recorded=False, ignored=reason)
