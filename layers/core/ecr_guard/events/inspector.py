"""Events from Amazon Inspector (ECR enhanced scanning): the first scan, and each finding.

"Inspector2 Scan" keeps the ECR kebab-case keys but its `repository-name` holds the repository
ARN; "Inspector2 Finding" carries one Inspector finding in camelCase, and its image identity
lives in `resources[].details.awsEcrContainerImage`. Both are also sent for EC2 instances and
Lambda functions, which the guard ignores.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ecr_guard.events.ecr import MARK_SEPARATOR
from ecr_guard.events.envelope import (
    DetailModel,
    DetailType,
    EventDigest,
    EventEnvelope,
    EventSource,
    RepositoryName,
    SeverityCounts,
    repository_from_arn,
)
from ecr_guard.images import ImageRef

ECR_IMAGE_RESOURCE = "AWS_ECR_CONTAINER_IMAGE"


class Inspector2ScanDetail(DetailModel):
    scan_status: str = Field(description="INITIAL_SCAN_COMPLETE is the only published value.")
    repository_name: str = Field(
        min_length=1, description="The repository ARN (an Inspector quirk), or a plain name."
    )
    image_digest: EventDigest
    image_tags: tuple[str, ...] = ()
    finding_severity_counts: SeverityCounts = SeverityCounts()
    version: str | None = None

    @field_validator("repository_name")
    @classmethod
    def _names_a_repository(cls, value: str) -> str:
        repository_from_arn(value)
        return value

    @property
    def repository(self) -> str:
        """The plain repository name, taken from the ARN."""
        return repository_from_arn(self.repository_name)


class Inspector2ScanEvent(EventEnvelope):
    """Inspector2 Scan for an ECR image: sent once, after its first enhanced scan."""

    source: Literal[EventSource.INSPECTOR]
    detail_type: Literal[DetailType.INSPECTOR_SCAN] = Field(alias="detail-type")
    detail: Inspector2ScanDetail

    def image_ref(self) -> ImageRef:
        return ImageRef(
            account=self.account,
            region=self.region,
            repository=self.detail.repository,
            digest=self.detail.image_digest,
            tags=self.detail.image_tags,
        )

    def scan_marker(self) -> str:
        return MARK_SEPARATOR.join(("inspector-scan", self.time))


class _CamelModel(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, alias_generator=to_camel
    )


class EcrContainerImage(_CamelModel):
    """`details.awsEcrContainerImage`: the image a finding is about."""

    repository_name: RepositoryName
    image_hash: EventDigest = Field(description="The manifest digest; match images on it.")
    registry: str = Field(min_length=1, description="The account holding the repository.")
    image_tags: tuple[str, ...] = ()
    architecture: str | None = None
    platform: str | None = None
    pushed_at: str | None = None


class InspectorResourceDetails(_CamelModel):
    aws_ecr_container_image: EcrContainerImage | None = None


class InspectorResource(_CamelModel):
    type: str
    id: str = Field(description="For an image, its ARN; never parsed, `imageHash` is the truth.")
    region: str | None = Field(default=None, description="`N/A` in some AWS samples.")
    details: InspectorResourceDetails | None = None

    @model_validator(mode="after")
    def _image_details_present(self) -> InspectorResource:
        if self.type == ECR_IMAGE_RESOURCE and (
            self.details is None or self.details.aws_ecr_container_image is None
        ):
            raise ValueError(f"a {ECR_IMAGE_RESOURCE} resource needs details.awsEcrContainerImage")
        return self


class Inspector2FindingDetail(_CamelModel):
    """One Inspector finding; only what identifies it and its image is modelled.

    Dates in finding events are human-formatted (`Dec 3, 2021, 6:02:30 PM`), so they are kept as
    text and only compared for equality.
    """

    finding_arn: str = Field(min_length=1)
    status: str = Field(min_length=1, description="ACTIVE, SUPPRESSED or CLOSED.")
    aws_account_id: str | None = None
    type: str | None = None
    severity: str | None = None
    title: str | None = None
    updated_at: str | None = None
    last_observed_at: str | None = None
    resources: tuple[InspectorResource, ...] = Field(min_length=1)

    @property
    def ecr_image(self) -> EcrContainerImage | None:
        """The first ECR image resource (a finding is about one image)."""
        for resource in self.resources:
            if resource.type == ECR_IMAGE_RESOURCE and resource.details:
                return resource.details.aws_ecr_container_image
        return None


class Inspector2FindingEvent(EventEnvelope):
    """Inspector2 Finding about an ECR image; one per vulnerability, repeated on every change."""

    source: Literal[EventSource.INSPECTOR]
    detail_type: Literal[DetailType.INSPECTOR_FINDING] = Field(alias="detail-type")
    detail: Inspector2FindingDetail

    @model_validator(mode="after")
    def _about_an_ecr_image(self) -> Inspector2FindingEvent:
        if self.detail.ecr_image is None:
            raise ValueError(f"detail.resources has no {ECR_IMAGE_RESOURCE} resource")
        return self

    @property
    def image(self) -> EcrContainerImage:
        image = self.detail.ecr_image
        if image is None:  # the model validator rejects such an event
            raise AssertionError(ECR_IMAGE_RESOURCE)
        return image

    def image_ref(self) -> ImageRef:
        image = self.image
        return ImageRef(
            account=image.registry,
            region=self.region,
            repository=image.repository_name,
            digest=image.image_hash,
            tags=image.image_tags,
        )

    def scan_marker(self) -> str:
        # `updatedAt` is optional in the Finding shape; `lastObservedAt` then the envelope time
        # are the next most specific facts that a redelivery repeats unchanged.
        changed = self.detail.updated_at or self.detail.last_observed_at or self.time
        return MARK_SEPARATOR.join(
            ("inspector-finding", self.detail.finding_arn, changed, self.detail.status)
        )
