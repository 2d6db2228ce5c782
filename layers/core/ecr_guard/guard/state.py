"""What the ledger knows about an image: identity, tags seen, index membership, the latest
decision per source, and the quarantine the guard applied (with every tag it removed)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ecr_guard.findings.model import ReportSource, ScanStatus, Severity
from ecr_guard.guard.config import QuarantineMethod
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode, RuleVerdict


class ImageKey(BaseModel):
    """The identity of an image: registry (account), region, repository, manifest digest."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str = Field(min_length=1)
    region: str = Field(min_length=1)
    repository: str = Field(min_length=1)
    digest: str = Field(min_length=1)

    def with_digest(self, digest: str) -> ImageKey:
        """The image with another digest in the same repository (a child or parent)."""
        return self.model_copy(update={"digest": digest})

    def display(self) -> str:
        return f"{self.repository}@{self.digest}"

    def reference(self) -> str:
        """`REPOSITORY@DIGEST`, as `ecr-guard release` takes it."""
        return f"{self.repository}@{self.digest}"


class ImageKind(StrEnum):
    IMAGE = "image"
    INDEX = "index"
    ARTIFACT = "artifact"


class ChildRef(BaseModel):
    """One manifest an index lists, with its platform (`linux/arm64/v8`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    digest: str
    platform: str | None = None
    media_type: str | None = None
    attestation: bool = Field(
        default=False, description="A build attestation, not a runnable image."
    )
    nested_index: bool = Field(default=False, description="An index inside the index.")

    @property
    def is_member(self) -> bool:
        """Whether the child's verdict counts towards the index's verdict."""
        return not self.attestation and not self.nested_index


class RuleRecord(BaseModel):
    """A rule that fired, without its findings (those stay in the notification)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    verdict: RuleVerdict
    message: str = ""


class DecisionRecord(BaseModel):
    """The latest decision for one image from one source (ecr-basic, ecr-enhanced, trivy…)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    source: ReportSource
    verdict: Verdict
    outcome: Verdict
    fingerprint: str
    at: datetime
    rules: tuple[RuleRecord, ...] = ()
    failing_ids: tuple[str, ...] = Field(
        default=(), description="Ids of the findings behind fail rules, for change detection."
    )
    by_severity: dict[Severity, int] = Field(default_factory=dict)
    mode: Mode
    rule_set: str = "default"
    summary: str = ""
    origin: str = ""
    report_format: str = ""
    scan_status: ScanStatus = ScanStatus.COMPLETE
    event_id: str | None = None
    pusher: str | None = Field(
        default=None, description="Who pushed the image, where the scanner says (Inspector)."
    )

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule.id for rule in self.rules)


class QuarantineStatus(StrEnum):
    QUARANTINED = "QUARANTINED"
    RELEASED = "RELEASED"


class QuarantineRecord(BaseModel):
    """The quarantine of one subject, written before ECR is touched and updated after."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    status: QuarantineStatus
    method: QuarantineMethod
    quarantine_tag: str | None = None
    removed_tags: frozenset[str] = frozenset()
    storage_class_before: str | None = None
    archived_children: tuple[str, ...] = ()
    at: datetime
    mode: Mode = Mode.ENFORCE
    complete: bool = Field(
        default=False, description="True once ECR holds the quarantine (tags removed, archived)."
    )
    rule_ids: tuple[str, ...] = ()
    lifecycle_warning: str | None = None
    released_at: datetime | None = None
    restored_tags: tuple[str, ...] = ()
    skipped_tags: tuple[str, ...] = Field(
        default=(), description="Removed tags not restored: they point at another image now."
    )
    released_by: str | None = None

    @property
    def active(self) -> bool:
        return self.status is QuarantineStatus.QUARANTINED


MAX_REMEMBERED_IDS = 1000
"""Failing ids a settled decision keeps for "what changed" (a DynamoDB item holds 400 KB)."""


class SettledDecision(BaseModel):
    """A subject's decision as last settled: what the next decision is compared with."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    verdict: Verdict
    outcome: Verdict
    digest: str
    failing_ids: tuple[str, ...] = Field(
        default=(), description=f"Sorted; at most {MAX_REMEMBERED_IDS}, see `more_failing`."
    )
    more_failing: int = Field(default=0, ge=0, description="Failing ids beyond those kept.")
    at: datetime
    notified: bool = Field(default=False, description="Whether it was published.")

    @classmethod
    def of(
        cls,
        *,
        verdict: Verdict,
        outcome: Verdict,
        digest: str,
        failing_ids: tuple[str, ...],
        at: datetime,
        notified: bool,
    ) -> SettledDecision:
        ordered = tuple(sorted(set(failing_ids)))
        return cls(
            verdict=verdict,
            outcome=outcome,
            digest=digest,
            failing_ids=ordered[:MAX_REMEMBERED_IDS],
            more_failing=max(0, len(ordered) - MAX_REMEMBERED_IDS),
            at=at,
            notified=notified,
        )


class TagKey(BaseModel):
    """One tag of one repository: "the same image" to the people who deploy it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str = Field(min_length=1)
    region: str = Field(min_length=1)
    repository: str = Field(min_length=1)
    tag: str = Field(min_length=1)

    def display(self) -> str:
        return f"{self.repository}:{self.tag}"


class TagRecord(BaseModel):
    """The last decision settled for a tag, whichever digest it was on then."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    key: TagKey
    decision: SettledDecision
    pushed_at: datetime | None = Field(
        default=None, description="When that digest was pushed: an older push never takes over."
    )


class ImageState(BaseModel):
    """The ledger's state item for one image."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    key: ImageKey
    tags_seen: frozenset[str] = frozenset()
    pushed_at: datetime | None = None
    media_type: str | None = None
    kind: ImageKind | None = None
    children: tuple[ChildRef, ...] = ()
    parents: frozenset[str] = frozenset()
    decisions: dict[str, DecisionRecord] = Field(default_factory=dict)
    quarantine: QuarantineRecord | None = None
    last_notified: str | None = Field(
        default=None, description="The key of the last decision settled (notified or not)."
    )
    last_settled: SettledDecision | None = None
    verified_tag: str | None = None
    revision: int = 0

    @classmethod
    def empty(cls, key: ImageKey) -> ImageState:
        return cls(key=key)

    @property
    def members(self) -> tuple[ChildRef, ...]:
        """The children whose verdicts make the index's verdict."""
        return tuple(child for child in self.children if child.is_member)

    @property
    def quarantined(self) -> bool:
        return self.quarantine is not None and self.quarantine.active

    def worst_decision(self) -> DecisionRecord | None:
        """The worst latest decision across sources: a FAIL from any scanner stands."""
        if not self.decisions:
            return None
        return max(
            self.decisions.values(),
            key=lambda record: (record.outcome.rank, record.verdict.rank, record.at),
        )

    def scoping_tags(self) -> tuple[str, ...]:
        return tuple(sorted(self.tags_seen))


__all__ = [
    "MAX_REMEMBERED_IDS",
    "ChildRef",
    "DecisionRecord",
    "ImageKey",
    "ImageKind",
    "ImageState",
    "QuarantineRecord",
    "QuarantineStatus",
    "RuleRecord",
    "SettledDecision",
    "TagKey",
    "TagRecord",
]
