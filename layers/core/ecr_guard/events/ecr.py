"""Events from Amazon ECR: an image action (the push) and a basic scan completing.

The two shapes differ on purpose in AWS: "ECR Image Action" has an empty `resources` list and
a singular, optional `image-tag`; "ECR Image Scan" has the repository ARN in `resources` and a
plural `image-tags` that is `[]` for an untagged image.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from ecr_guard.events.envelope import (
    DetailModel,
    DetailType,
    EventDigest,
    EventEnvelope,
    EventSource,
    RepositoryName,
    SeverityCounts,
)
from ecr_guard.images import ImageRef

MARK_SEPARATOR = "|"


class EcrImageAction(StrEnum):
    """`action-type` values of "ECR Image Action"; AWS adds new ones, so the field stays open."""

    PUSH = "PUSH"
    DELETE = "DELETE"
    UPDATE_STORAGE_CLASS = "UPDATE_STORAGE_CLASS"


class EcrActionResult(StrEnum):
    """`result` values; only SUCCESS is published, so anything else is treated as a failure."""

    SUCCESS = "SUCCESS"


class EcrScanStatus(StrEnum):
    """`scan-status` values of "ECR Image Scan"; FAILED has no severity counts."""

    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


class EcrImageActionDetail(DetailModel):
    action_type: str = Field(description="PUSH, DELETE, UPDATE_STORAGE_CLASS…")
    result: str
    repository_name: RepositoryName
    image_digest: EventDigest
    image_tag: str | None = Field(
        default=None, description="Absent for a push by digest and for index children."
    )
    manifest_media_type: str | None = None
    artifact_media_type: str | None = None
    target_storage_class: str | None = None
    last_activated_at: str | None = None


class EcrImageActionEvent(EventEnvelope):
    """ECR Image Action: the guard handles a successful PUSH (the push recorder's input)."""

    source: Literal[EventSource.ECR]
    detail_type: Literal[DetailType.ECR_IMAGE_ACTION] = Field(alias="detail-type")
    detail: EcrImageActionDetail

    def image_ref(self) -> ImageRef:
        tag = self.detail.image_tag
        return ImageRef(
            account=self.account,
            region=self.region,
            repository=self.detail.repository_name,
            digest=self.detail.image_digest,
            tags=(tag,) if tag else (),
        )

    def scan_marker(self) -> str:
        # Two tags pushed onto one digest in the same second are two facts: the tag is part.
        return MARK_SEPARATOR.join(("ecr-push", self.time, self.detail.image_tag or ""))


class EcrImageScanDetail(DetailModel):
    scan_status: str = Field(description="COMPLETE or FAILED.")
    repository_name: RepositoryName
    image_digest: EventDigest
    image_tags: tuple[str, ...] = ()
    finding_severity_counts: SeverityCounts = SeverityCounts()


class EcrImageScanEvent(EventEnvelope):
    """ECR Image Scan: a basic scan completed or failed. Findings are read from the API."""

    source: Literal[EventSource.ECR]
    detail_type: Literal[DetailType.ECR_IMAGE_SCAN] = Field(alias="detail-type")
    detail: EcrImageScanDetail

    @property
    def failed(self) -> bool:
        return self.detail.scan_status == EcrScanStatus.FAILED

    def image_ref(self) -> ImageRef:
        return ImageRef(
            account=self.account,
            region=self.region,
            repository=self.detail.repository_name,
            digest=self.detail.image_digest,
            tags=self.detail.image_tags,
        )

    def scan_marker(self) -> str:
        return MARK_SEPARATOR.join(("ecr-scan", self.time))
