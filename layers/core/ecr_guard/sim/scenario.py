"""The scenario file: a stack, a policy, repositories, images and the events that happen to them.

Validated completely at load, like a policy: unknown keys are errors, every fault is named with
its path and line. `ecr-guard simulate --schema` prints the JSON Schema of `Scenario`
(docs/schemas/scenario.schema.json). Paths in a scenario are relative to the scenario file.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    ByteSize,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from ecr_guard.policy.model import Pattern, Policy
from ecr_guard.sim.scenario_events import (
    ClockAdvancedEvent,
    Event,
    Expect,
    ImageEvent,
    ImageExpect,
    InspectorFindingEvent,
    InspectorScanEvent,
    PushEvent,
    ReleaseEvent,
    ScanCompleteEvent,
    ScanEvent,
    ScanFailedEvent,
    StackUpdatedEvent,
    TrivyReportEvent,
    WaiverAddedEvent,
)
from ecr_guard.sim.scenario_types import (
    UNSUPPORTED_IMAGE,
    FilePath,
    Handle,
    ImageTag,
    Note,
    ParameterChanges,
    Platform,
    RepositoryName,
    StackParameters,
    Strict,
    TagMutability,
)


class RepositorySpec(Strict):
    """An ECR repository, as the team created it."""

    tags: dict[str, str] = Field(
        default_factory=dict, description="Resource tags, e.g. `team: payments` (OwnerTag)."
    )
    tag_mutability: TagMutability = Field(default=TagMutability.MUTABLE)
    mutability_exclusions: list[Pattern] = Field(
        default_factory=list,
        description="Wildcard exclusion filters of an `..._WITH_EXCLUSION` tag mutability.",
    )
    lifecycle_policy: dict[str, Any] | None = Field(
        default=None, description="The repository's lifecycle policy document (`rules: [...]`)."
    )


# ---------------------------------------------------------------- findings


class BasicFinding(Strict):
    """One ECR basic scanning finding (basic findings carry no fixed version)."""

    id: Annotated[str, StringConstraints(min_length=1)] = Field(description="CVE id.")
    severity: Literal["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"]
    package: Annotated[str, StringConstraints(min_length=1)]
    version: Annotated[str, StringConstraints(min_length=1)]
    cvss: float | None = Field(default=None, ge=0, le=10, description="CVSS 3 base score.")
    description: str | None = None
    uri: str | None = None


class EnhancedFinding(Strict):
    """One Amazon Inspector package vulnerability (ECR enhanced scanning)."""

    id: Annotated[str, StringConstraints(min_length=1)] = Field(description="CVE id.")
    severity: Literal["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED"]
    package: Annotated[str, StringConstraints(min_length=1)]
    version: Annotated[str, StringConstraints(min_length=1)]
    fixed: str | None = Field(default=None, description="The fixed version; none: no fix yet.")
    package_manager: str = Field(default="OS", description="OS, JAR, PYTHONPKG, NPM…")
    cvss: float | None = Field(default=None, ge=0, le=10, description="CVSS 3 base score.")
    title: str | None = None


class FindingsSpec(Strict):
    """What each scanner finds in one image (a leaf image: a platform of a multi-arch image)."""

    trivy: FilePath | None = Field(
        default=None,
        description="A Trivy JSON report (`trivy image --format json`), uploaded as CI would.",
    )
    ecr_basic: FilePath | list[BasicFinding] | None = Field(
        default=None,
        description="What ECR basic scanning finds: `aws ecr describe-image-scan-findings` "
        "output, or a list of findings. Absent: nothing (a clean scan).",
    )
    ecr_enhanced: FilePath | list[EnhancedFinding] | None = Field(
        default=None,
        description="What Inspector (ECR enhanced scanning) finds: `aws inspector2 "
        "list-findings` output, or a list of findings. Absent: nothing.",
    )


class PlatformSpec(Strict):
    """One platform image of a multi-arch image."""

    size: ByteSize = Field(default=ByteSize(30_000_000), description="Image size, e.g. `85MB`.")
    findings: FindingsSpec = Field(default_factory=FindingsSpec)


class ManifestKind(StrEnum):
    DOCKER = "docker"
    OCI = "oci"


class ImageSpec(Strict):
    """An image, or with `platforms` a multi-arch image (an index and its platform images)."""

    repository: RepositoryName
    tags: list[ImageTag] = Field(
        default_factory=list, description="The tags it is pushed with; none: pushed by digest."
    )
    manifest: ManifestKind = Field(
        default=ManifestKind.DOCKER,
        description="docker: Docker manifest (list); oci: OCI manifest (index).",
    )
    size: ByteSize | None = Field(default=None, description="Image size; not for a multi-arch.")
    findings: FindingsSpec | None = Field(default=None, description="Not for a multi-arch image.")
    platforms: dict[Platform, PlatformSpec] | None = Field(
        default=None,
        min_length=1,
        description="A multi-arch image: its platform images, pushed first, untagged.",
    )

    @model_validator(mode="after")
    def _image_or_index(self) -> ImageSpec:
        if self.platforms is not None and (self.size is not None or self.findings is not None):
            raise ValueError(
                "a multi-arch image has no size or findings of its own: give them per platform"
            )
        return self

    @property
    def is_index(self) -> bool:
        return self.platforms is not None


# ---------------------------------------------------------------- the scenario


class ClockSpec(Strict):
    start: AwareDatetime = Field(
        description="When the scenario starts, with a time zone (`2026-03-02T09:00:00Z`)."
    )


def _policy_kind(value: Any) -> str:
    return "file" if isinstance(value, str) else "inline"


PolicySource = Annotated[
    Annotated[FilePath, Tag("file")] | Annotated[Policy, Tag("inline")],
    Discriminator(_policy_kind),
]


class Scenario(Strict):
    """A scenario for `ecr-guard simulate`."""

    version: Literal[1] = Field(default=1, description="Version of the scenario format.")
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    description: Note | None = None
    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$")] = "us-east-1"
    clock: ClockSpec | None = Field(
        default=None, description="Fixed start time; absent: the time the run starts."
    )
    parameters: StackParameters = Field(
        default_factory=StackParameters, description="The stack's parameters (template.yaml)."
    )
    policy: PolicySource | None = Field(
        default=None,
        description="A policy file (relative to the scenario) or the policy itself; absent: "
        "the built-in default policy.",
    )
    repositories: dict[RepositoryName, RepositorySpec] = Field(min_length=1)
    images: dict[Handle, ImageSpec] = Field(min_length=1)
    events: list[Event] = Field(min_length=1)

    def start_time(self, now: datetime) -> datetime:
        return self.clock.start if self.clock else now


__all__ = [
    "UNSUPPORTED_IMAGE",
    "BasicFinding",
    "ClockAdvancedEvent",
    "EnhancedFinding",
    "Event",
    "Expect",
    "FindingsSpec",
    "ImageEvent",
    "ImageExpect",
    "ImageSpec",
    "InspectorFindingEvent",
    "InspectorScanEvent",
    "ManifestKind",
    "ParameterChanges",
    "PlatformSpec",
    "PushEvent",
    "ReleaseEvent",
    "RepositorySpec",
    "ScanCompleteEvent",
    "ScanEvent",
    "ScanFailedEvent",
    "Scenario",
    "StackParameters",
    "StackUpdatedEvent",
    "TagMutability",
    "TrivyReportEvent",
    "WaiverAddedEvent",
]
