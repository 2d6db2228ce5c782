"""Events announcing a Trivy report uploaded by CI: S3's "Object Created", or ecr-guard's own.

Reports travel by S3 pointer, never inside an event (they can be tens of MB). An S3 event says
only where the report is; the image it describes comes from the key layout or the object's
metadata, read by the report store. The custom "Trivy Report Uploaded" event, which CI sends
with `aws events put-events`, names the image itself, so its digest must be a real one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ecr_guard.events.ecr import MARK_SEPARATOR
from ecr_guard.events.envelope import (
    CanonicalDigest,
    DetailModel,
    DetailType,
    EventEnvelope,
    EventSource,
    RepositoryName,
)
from ecr_guard.images import ImageRef


def report_marker(bucket: str, key: str, version: str) -> str:
    """The scan marker of a report object; equal for the S3 and the custom event of one upload
    when both carry the version id."""
    return MARK_SEPARATOR.join(("trivy", bucket, key, version))


class S3Bucket(DetailModel):
    name: str = Field(min_length=1)


class S3Object(DetailModel):
    key: str = Field(
        min_length=1,
        description="Kept as sent. Published EventBridge samples show keys unescaped (a `:` "
        "arrives as `:`), unlike the URL-encoded keys of S3 notifications to SQS, SNS or Lambda.",
    )
    size: int | None = Field(default=None, ge=0)
    etag: str | None = None
    version_id: str | None = None
    sequencer: str | None = None


class S3ObjectCreatedDetail(DetailModel):
    bucket: S3Bucket
    object: S3Object
    reason: str | None = Field(default=None, description="PutObject, CompleteMultipartUpload…")
    requester: str | None = None


class S3ObjectCreatedEvent(EventEnvelope):
    """S3 Object Created in the reports bucket: the report's image is bound from the object."""

    source: Literal[EventSource.S3]
    detail_type: Literal[DetailType.S3_OBJECT_CREATED] = Field(alias="detail-type")
    detail: S3ObjectCreatedDetail

    @property
    def bucket(self) -> str:
        return self.detail.bucket.name

    @property
    def key(self) -> str:
        return self.detail.object.key

    @property
    def version_id(self) -> str | None:
        return self.detail.object.version_id

    def scan_marker(self) -> str:
        found = self.detail.object
        return report_marker(self.bucket, self.key, found.version_id or found.etag or self.time)


class TrivyReportUploadedDetail(DetailModel):
    bucket: str = Field(min_length=1)
    key: str = Field(min_length=1)
    version_id: str | None = None
    repository_name: RepositoryName
    image_digest: CanonicalDigest
    image_tags: tuple[str, ...] = ()


class TrivyReportUploadedEvent(EventEnvelope):
    """ecr-guard's own CI event: a Trivy report is in S3 and describes this image."""

    source: Literal[EventSource.CI]
    detail_type: Literal[DetailType.TRIVY_REPORT_UPLOADED] = Field(alias="detail-type")
    detail: TrivyReportUploadedDetail

    @property
    def bucket(self) -> str:
        return self.detail.bucket

    @property
    def key(self) -> str:
        return self.detail.key

    @property
    def version_id(self) -> str | None:
        return self.detail.version_id

    def image_ref(self) -> ImageRef:
        return ImageRef(
            account=self.account,
            region=self.region,
            repository=self.detail.repository_name,
            digest=self.detail.image_digest,
            tags=self.detail.image_tags,
        )

    def scan_marker(self) -> str:
        return report_marker(self.bucket, self.key, self.detail.version_id or self.time)
