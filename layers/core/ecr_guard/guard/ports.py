"""What the guard needs from AWS, as small interfaces; `ecr_guard.adapters` implements them.

The flow (service, quarantine, push recorder) is written against these, so it never imports
boto3 and can be exercised with in-memory fakes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from ecr_guard.errors import AwsError
from ecr_guard.guard.state import (
    ChildRef,
    DecisionRecord,
    ImageKey,
    ImageKind,
    ImageState,
    QuarantineRecord,
    SettledDecision,
    TagKey,
    TagRecord,
)

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST_MEDIA_TYPES = (DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX)
"""The four manifest kinds the guard reads and re-tags (BatchGetImage acceptedMediaTypes)."""
INDEX_MEDIA_TYPES = frozenset({DOCKER_MANIFEST_LIST, OCI_INDEX})


class StorageClassUnsupportedError(AwsError):
    """ECR refuses to change this image's storage class (ImageStorageClassUpdateNotSupported)."""


class StorageClass(StrEnum):
    STANDARD = "STANDARD"
    ARCHIVE = "ARCHIVE"


class PutOutcome(StrEnum):
    TAGGED = "tagged"
    ALREADY_TAGGED = "already-tagged"


@dataclass(frozen=True)
class Manifest:
    """A manifest exactly as stored: the bytes (as text) and the media type ECR reports."""

    digest: str
    body: str
    media_type: str

    def document(self) -> dict[str, Any]:
        """The parsed manifest; an unparseable manifest is an empty document."""
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEX_MEDIA_TYPES


@dataclass(frozen=True)
class ImageDetails:
    """What DescribeImages says about one image now."""

    digest: str
    tags: tuple[str, ...]
    size_bytes: int | None = None
    media_type: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class TagLookup:
    """Our manifest, and for each asked tag the digest it points at now (None: free)."""

    manifest: Manifest
    tag_digests: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredReport:
    """A report object: its bytes, user metadata (`x-amz-meta-*` without the prefix), and the
    version id and ETag that identify this upload."""

    bucket: str
    key: str
    data: bytes
    metadata: Mapping[str, str] = field(default_factory=dict)
    version_id: str | None = None
    etag: str | None = None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


class EcrPort(Protocol):
    def scan_findings_pages(self, image: ImageKey) -> Iterator[Mapping[str, Any]]: ...

    def get_manifest(self, image: ImageKey) -> Manifest: ...

    def lookup_tags(self, image: ImageKey, tags: Iterable[str]) -> TagLookup: ...

    def describe_image(self, image: ImageKey) -> ImageDetails: ...

    def put_tag(self, image: ImageKey, manifest: Manifest, tag: str) -> PutOutcome: ...

    def remove_tags(self, image: ImageKey, tags: Iterable[str]) -> tuple[str, ...]: ...

    def set_storage_class(self, image: ImageKey, target: StorageClass) -> str | None: ...

    def lifecycle_policy(self, image: ImageKey) -> dict[str, Any] | None: ...

    def repository_tags(self, image: ImageKey) -> dict[str, str]: ...


class LedgerPort(Protocol):
    def get(self, key: ImageKey) -> ImageState | None: ...

    def record_push(
        self,
        key: ImageKey,
        *,
        tags: Iterable[str],
        pushed_at: datetime | None,
        media_type: str | None,
        kind: ImageKind,
        children: Iterable[ChildRef] = (),
    ) -> None: ...

    def add_parent(self, child: ImageKey, parent_digest: str) -> None: ...

    def record_decision(
        self, key: ImageKey, record: DecisionRecord, *, tags: Iterable[str] = ()
    ) -> None: ...

    def save_quarantine(
        self, key: ImageKey, record: QuarantineRecord, *, expected_revision: int
    ) -> int: ...

    def record_action(
        self, key: ImageKey, *, kind: str, at: datetime, details: Mapping[str, Any]
    ) -> None: ...

    def set_notified(
        self, key: ImageKey, notification_key: str, settled: SettledDecision | None = None
    ) -> None: ...

    def get_tag(self, key: TagKey) -> TagRecord | None: ...

    def save_tag(self, record: TagRecord) -> bool: ...

    def set_verified(self, key: ImageKey, tag: str) -> None: ...

    def quarantined(self) -> Iterator[ImageState]: ...


class ReportStorePort(Protocol):
    def read(
        self, bucket: str, key: str, *, version_id: str | None, max_bytes: int
    ) -> StoredReport: ...


class PublisherPort(Protocol):
    def publish(
        self,
        *,
        subject: str,
        message: str,
        attributes: Mapping[str, str],
        message_structure: str | None = "json",
    ) -> str: ...


class QueuePort(Protocol):
    def send(self, body: str) -> str: ...


class MetricsPort(Protocol):
    def count(
        self, name: str, value: int = 1, *, dimensions: Mapping[str, str] | None = None
    ) -> None:
        """Add `value` to the metric `name` (CloudWatch unit Count)."""
