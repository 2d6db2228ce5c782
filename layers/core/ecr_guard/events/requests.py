"""The push recorder's "evaluate index" message to the guard queue.

It is shaped like an EventBridge event (source `ecr-guard`, detail-type `Evaluate Index`) so
that every record on the guard queue is read the same way. JSON shape:

```json
{"version": "0", "id": "<uuid4>", "source": "ecr-guard", "detail-type": "Evaluate Index",
 "account": "123456789012", "region": "eu-west-1", "time": "2026-12-03T12:00:00Z",
 "resources": [],
 "detail": {"repository-name": "team/app", "index-digest": "sha256:…",
            "pushed-at": "2026-12-03T11:59:58Z", "image-tags": ["1.2.3"],
            "push-event-id": "<id of the ECR Image Action event>"}}
```

`pushed-at` is the push event's `time`, copied as sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import Field

from ecr_guard.events.ecr import MARK_SEPARATOR
from ecr_guard.events.envelope import (
    DetailModel,
    DetailType,
    EventDigest,
    EventEnvelope,
    EventSource,
    RepositoryName,
)
from ecr_guard.images import ImageRef


class EvaluateIndexDetail(DetailModel):
    repository_name: RepositoryName
    index_digest: EventDigest = Field(description="The digest of the pushed index.")
    pushed_at: str = Field(min_length=1, description="The push event's time, as sent.")
    image_tags: tuple[str, ...] = ()
    push_event_id: str | None = None


class EvaluateIndexRequest(EventEnvelope):
    """Judge an index from its children's latest decisions (some may predate the index)."""

    source: Literal[EventSource.GUARD]
    detail_type: Literal[DetailType.EVALUATE_INDEX] = Field(alias="detail-type")
    detail: EvaluateIndexDetail

    @classmethod
    def create(
        cls,
        *,
        account: str,
        region: str,
        repository: str,
        index_digest: str,
        pushed_at: str,
        tags: Sequence[str] = (),
        push_event_id: str | None = None,
        now: datetime | None = None,
    ) -> EvaluateIndexRequest:
        """A new request with a fresh id, timed `now` (UTC, default: the current time)."""
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        return cls.model_validate(
            {
                "id": str(uuid.uuid4()),
                "source": EventSource.GUARD,
                "detail-type": DetailType.EVALUATE_INDEX,
                "account": account,
                "region": region,
                "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "detail": {
                    "repository-name": repository,
                    "index-digest": index_digest,
                    "pushed-at": pushed_at,
                    "image-tags": list(tags),
                    "push-event-id": push_event_id,
                },
            }
        )

    def to_message(self) -> str:
        """The SQS message body: the JSON above, with the EventBridge key spellings."""
        return self.model_dump_json(by_alias=True, exclude_none=True)

    def image_ref(self) -> ImageRef:
        return ImageRef(
            account=self.account,
            region=self.region,
            repository=self.detail.repository_name,
            digest=self.detail.index_digest,
            tags=self.detail.image_tags,
        )

    def scan_marker(self) -> str:
        return MARK_SEPARATOR.join(
            ("evaluate-index", self.detail.index_digest, self.detail.pushed_at)
        )
