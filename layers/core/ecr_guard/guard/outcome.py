"""What the guard did about a decision, as the flow reports it to the ledger and notifications."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ecr_guard.guard.config import QuarantineMethod
from ecr_guard.policy.decision import Verdict


class ActionKind(StrEnum):
    NONE = "none"
    QUARANTINE = "quarantine"
    RELEASE = "release"
    VERIFIED_TAG = "verified-tag"


class ActionReport(BaseModel):
    """The action taken on the subject, or in audit mode the action that would have been taken."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_serialization_defaults_required=True
    )

    kind: ActionKind = ActionKind.NONE
    performed: bool = Field(
        default=False,
        description="True when ECR was changed; false in audit mode (the action is what would "
        "have been done), when it was already in place, or when it failed.",
    )
    already_done: bool = Field(
        default=False, description="The subject was already quarantined, released or tagged."
    )
    method: QuarantineMethod | None = Field(default=None, description="retag or archive.")
    quarantine_tag: str | None = None
    tags_removed: tuple[str, ...] = Field(default=(), description="Deployable tags moved aside.")
    tags_restored: tuple[str, ...] = Field(default=(), description="Tags put back on release.")
    tags_skipped: tuple[str, ...] = Field(
        default=(), description="Tags not restored because they now point at another image."
    )
    verified_tag: str | None = None
    warning: str | None = Field(
        default=None, description="Something to fix, e.g. a lifecycle rule expiring guard tags."
    )
    error: str | None = Field(default=None, description="Why the action failed, when it did.")

    @property
    def failed(self) -> bool:
        return self.error is not None


class PlatformVerdict(BaseModel):
    """One platform image of an index and its latest verdict (None: not evaluated yet)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_serialization_defaults_required=True
    )

    platform: str = Field(description="`linux/arm64`, `linux/arm/v7`…")
    digest: str
    verdict: Verdict | None = None
