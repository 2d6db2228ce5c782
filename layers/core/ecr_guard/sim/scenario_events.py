"""The events of a scenario, and the `expect:` checks a step can carry."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, StringConstraints, Tag, model_validator

from ecr_guard.guard.outcome import ActionKind
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Pattern, Waiver
from ecr_guard.sim.scenario_types import (
    UNSUPPORTED_IMAGE,
    Handle,
    ImageReference,
    ImageTag,
    Note,
    ParameterChanges,
    Platform,
    Strict,
)

# ---------------------------------------------------------------- expectations


class ImageExpect(Strict):
    """What one image must look like in ECR (and the ledger) after the step."""

    tags: list[ImageTag] | None = Field(default=None, description="Exactly these tags.")
    has_tags: list[Pattern] | None = Field(
        default=None, description="Each pattern matches at least one tag."
    )
    lacks_tags: list[Pattern] | None = Field(
        default=None, description="No tag matches any of these patterns."
    )
    storage_class: Literal["STANDARD", "ARCHIVE"] | None = None
    quarantined: bool | None = Field(default=None, description="As the ledger records it.")
    exists: bool | None = Field(default=None, description="Whether ECR still holds the image.")


class Expect(Strict):
    """Checks after a step; any that does not hold makes the run exit 1.

    `verdict`, `outcome`, `action`, `performed`, `pending` and `rules` are about the latest
    decision of the step on the event's image (for a multi-arch image: its index).
    """

    verdict: Verdict | None = None
    outcome: Verdict | None = None
    action: ActionKind | None = None
    performed: bool | None = None
    pending: bool | None = None
    rules: list[str] | None = Field(default=None, description="Exactly these rule ids fired.")
    notifications: int | None = Field(default=None, ge=0, description="Messages published.")
    subjects: list[Annotated[str, StringConstraints(min_length=1)]] | None = Field(
        default=None,
        description="Each text appears in the subject of a message published in the step.",
    )
    images: dict[ImageReference, ImageExpect] | None = None
    dead_letters: int | None = Field(
        default=None, ge=0, description="Messages in the dead-letter queues after the step."
    )


# ---------------------------------------------------------------- events


class _Event(Strict):
    note: Note | None = Field(default=None, description="What happens, in a sentence.")
    show_email: bool = Field(
        default=False, description="Print the email text of the messages this step publishes."
    )
    expect: Expect | None = None


class _ImageEvent(_Event):
    image: Handle


class _ScanEvent(_ImageEvent):
    platforms: list[Platform] | None = Field(
        default=None, description="For a multi-arch image: which platforms (default: all)."
    )


class PushEvent(_ImageEvent):
    """`docker push`: for a multi-arch image, its platform images first, untagged, then the
    index with its tags (as `docker buildx build --push`)."""

    type: Literal["push"]
    tags: list[ImageTag] | None = Field(default=None, description="Default: the image's tags.")
    by_digest: bool = Field(default=False, description="Push without any tag.")


class ScanCompleteEvent(_ScanEvent):
    """ECR basic scanning finished: "ECR Image Scan" COMPLETE."""

    type: Literal["scan-complete"]


class ScanFailedEvent(_ScanEvent):
    """ECR basic scanning could not scan the image: "ECR Image Scan" FAILED."""

    type: Literal["scan-failed"]
    reason: str = Field(default=UNSUPPORTED_IMAGE, min_length=1)


class InspectorScanEvent(_ScanEvent):
    """Inspector finished its first scan of the image: "Inspector2 Scan"."""

    type: Literal["inspector-scan"]
    findings: list[str] | None = Field(
        default=None,
        description="The finding ids known at this scan (default: all); the others appear "
        "later with an inspector-finding event.",
    )


class InspectorFindingEvent(_ScanEvent):
    """Inspector reports findings (new, updated or closed): one "Inspector2 Finding" each."""

    type: Literal["inspector-finding"]
    findings: list[str] | None = Field(default=None, description="Finding ids; default: all.")
    status: Literal["ACTIVE", "CLOSED"] = Field(
        default="ACTIVE",
        description="ACTIVE: new or updated, listed from now on; CLOSED: no longer listed.",
    )


class TrivyReportEvent(_ScanEvent):
    """CI uploads the image's Trivy report under trivy/<repository>/<digest>.json."""

    type: Literal["trivy-report"]
    via: Literal["s3", "event"] = Field(
        default="s3",
        description="s3: the bucket's Object Created event only; event: CI also announces the "
        "report with its own Trivy Report Uploaded event.",
    )


class WaiverAddedEvent(_Event):
    """A waiver is added to the policy; the functions start again with the new policy."""

    type: Literal["waiver-added"]
    waiver: Waiver


class ClockAdvancedEvent(_Event):
    """Time passes (waivers expire, findings age)."""

    type: Literal["clock-advanced"]
    days: int = Field(default=0, ge=0)
    hours: int = Field(default=0, ge=0)
    minutes: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _moves(self) -> ClockAdvancedEvent:
        if not (self.days or self.hours or self.minutes):
            raise ValueError("give days, hours or minutes to advance by")
        return self


class StackUpdatedEvent(_Event):
    """`sam deploy` with new parameter values; the functions start again."""

    type: Literal["stack-updated"]
    parameters: ParameterChanges


class ReleaseEvent(_ImageEvent):
    """`ecr-guard release REPOSITORY@DIGEST` (the same code, against the emulator)."""

    type: Literal["release"]
    by: str = Field(default="simulate", min_length=1, description="Who releases it.")


Event = Annotated[
    Annotated[PushEvent, Tag("push")]
    | Annotated[ScanCompleteEvent, Tag("scan-complete")]
    | Annotated[ScanFailedEvent, Tag("scan-failed")]
    | Annotated[InspectorScanEvent, Tag("inspector-scan")]
    | Annotated[InspectorFindingEvent, Tag("inspector-finding")]
    | Annotated[TrivyReportEvent, Tag("trivy-report")]
    | Annotated[WaiverAddedEvent, Tag("waiver-added")]
    | Annotated[ClockAdvancedEvent, Tag("clock-advanced")]
    | Annotated[StackUpdatedEvent, Tag("stack-updated")]
    | Annotated[ReleaseEvent, Tag("release")],
    Discriminator("type"),
]
ImageEvent = (
    PushEvent
    | ScanCompleteEvent
    | ScanFailedEvent
    | InspectorScanEvent
    | InspectorFindingEvent
    | TrivyReportEvent
    | ReleaseEvent
)
ScanEvent = (
    ScanCompleteEvent
    | ScanFailedEvent
    | InspectorScanEvent
    | InspectorFindingEvent
    | TrivyReportEvent
)
