"""The versioned JSON body of ecr-guard's SNS notifications (`ecr-guard.decision`, version 1).

Consumers rely on this shape; docs/schemas/notification-v1.schema.json is generated from these
models (a unit test keeps the two equal). A change that removes or retypes a field is a new
version. To regenerate the file after adding a field:

    python -c "from ecr_guard.guard.notification import schema_text; print(schema_text(), end='')" \
        > docs/schemas/notification-v1.schema.json
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from ecr_guard.findings.model import (
    FindingKind,
    FixAvailability,
    ReportSource,
    ScanStatus,
    Severity,
)
from ecr_guard.guard.outcome import ActionReport, PlatformVerdict
from ecr_guard.guard.state import ImageKind
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode, RuleVerdict

NOTIFICATION_TYPE: Final = "ecr-guard.decision"
NOTIFICATION_VERSION: Final = "1"
NO_SEVERITY: Final = "NONE"

# Control and format characters (bidirectional overrides included) and line or paragraph
# separators: text from reports must not reflow a mail or disguise what it says.
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_SPACES = re.compile(r"\s+")


def clean_text(text: str | None, limit: int) -> str | None:
    """One printable line of at most `limit` characters, or None when nothing is left."""
    if not text:
        return None
    # A secret's line can be megabytes long: only the head can end up in a message.
    head = text[: limit * 4 + 64]
    printable = "".join(
        " " if unicodedata.category(char) in _UNPRINTABLE_CATEGORIES else char
        for char in unicodedata.normalize("NFC", head)
    )
    flat = _SPACES.sub(" ", printable).strip()
    if not flat:
        return None
    if len(flat) <= limit and len(head) == len(text):
        return flat
    return flat[: limit - 1].rstrip() + "…"


class _Body(BaseModel):
    # Every key is always emitted, so the published schema marks every key as required.
    model_config = ConfigDict(
        frozen=True, extra="forbid", json_schema_serialization_defaults_required=True
    )


class RouteSource(StrEnum):
    """Where the team of a decision came from."""

    POLICY_ROUTE = "policy-route"
    REPOSITORY_TAG = "repository-tag"
    DEFAULT_TEAM = "default-team"
    NONE = "none"


class NotifiedRoute(_Body):
    """The owning team of the repository, and its channels when a policy route names them."""

    team: str = Field(description="The owning team; `unknown` when nothing names one.")
    source: RouteSource
    email: str | None = Field(default=None, description="The team's address, from its route.")
    slack_channel: str | None = Field(
        default=None, description="The route's Slack channel (a key of the webhook secret)."
    )


class Baseline(StrEnum):
    """What a decision is compared with."""

    NONE = "none"
    IMAGE = "image"
    TAG = "tag"


class NotifyReason(StrEnum):
    """Why a decision is news."""

    FIRST_DECISION = "first-decision"
    VERDICT_CHANGED = "verdict-changed"
    NEW_FAILING_FINDINGS = "new-failing-findings"
    ACTION = "action"


class NotifiedChanges(_Body):
    """What is new compared with the previous decision for the same image, or for a new digest,
    with the last decision for the same repository and tag."""

    baseline: Baseline = Field(
        description="`image`: this digest's previous decision; `tag`: the last decision for "
        "`tag` (another digest, or none yet); `none`: nothing to compare with."
    )
    tag: str | None = Field(default=None, description="The tag compared on.")
    reasons: tuple[NotifyReason, ...] = Field(description="Why this decision was published.")
    previous_verdict: Verdict | None = None
    previous_outcome: Verdict | None = None
    previous_digest: str | None = None
    previous_at: datetime | None = None
    new_failing: tuple[str, ...] = Field(
        default=(), description="Ids failing now that did not before (the first 50)."
    )
    new_failing_total: int = Field(default=0, ge=0)
    no_longer_failing: tuple[str, ...] = Field(
        default=(), description="Ids that failed before and do not now (the first 50)."
    )
    no_longer_failing_total: int = Field(default=0, ge=0)


class NotifiedImage(_Body):
    """The subject: the image judged, or the index whose platform image was just scanned."""

    repository: str
    digest: str | None
    tags: tuple[str, ...]
    account: str | None
    region: str | None
    kind: ImageKind
    display: str = Field(description="`repo:tag`, or `repo@sha256:…` when untagged.")
    platforms: tuple[PlatformVerdict, ...] = Field(
        default=(), description="For an index: each platform image and its verdict."
    )
    evaluated_digest: str | None = Field(
        default=None, description="The digest whose report was evaluated, when not the subject's."
    )
    pusher: str | None = Field(
        default=None,
        description="Who pushed the image, where the scanner says (Inspector's image author).",
    )


class NotifiedFinding(_Body):
    """One finding occurrence behind a rule: one vulnerability in one package, one secret…"""

    id: str
    kind: FindingKind
    severity: Severity
    severity_source: str | None = None
    package: str | None = Field(description="The affected package's name, when in a package.")
    installed: str | None
    fixed: tuple[str, ...] = Field(description="Fixed versions; empty when there is no fix.")
    fix: FixAvailability
    path: str | None = Field(default=None, description="File, for secrets and misconfigurations.")
    line: int | None = None
    cvss_score: float | None = None
    title: str | None = None
    url: str | None = None

    @property
    def location(self) -> str:
        """The package name, or the file and line when the finding is not in a package."""
        if self.package:
            return self.package
        if self.path and self.line:
            return f"{self.path}:{self.line}"
        return self.path or ""


class NotifiedRule(_Body):
    """A rule that fired, with its findings worst first as far as the size budget allows."""

    id: str
    verdict: RuleVerdict
    message: str
    description: str | None = None
    findings_total: int = Field(ge=0)
    findings_omitted: int = Field(ge=0, description="Findings of this rule left out for size.")
    findings: tuple[NotifiedFinding, ...]


class Omitted(_Body):
    """What the message leaves out to stay within the SNS size limit."""

    findings: int = Field(ge=0, description="Findings behind fired rules listed under no rule.")
    by_severity: dict[Severity, int] = Field(description="Those findings by severity.")
    rules: int = Field(default=0, ge=0, description="Fired rules not listed.")
    waivers: int = Field(default=0, ge=0, description="Applied or expired waivers not listed.")


class NotifiedCounts(_Body):
    """Active findings after grouping, before waivers (every level and kind listed)."""

    total: int
    by_severity: dict[Severity, int]
    by_kind: dict[FindingKind, int]
    waived: int
    inactive: int = Field(description="Closed, suppressed or not-affected findings.")


class NotifiedWaiver(_Body):
    id: str
    package: str | None = None
    purl: str | None = None
    path: str | None = None
    repositories: tuple[str, ...]
    tags: tuple[str, ...]
    reason: str
    approved_by: str
    expires: date
    findings: int = Field(ge=0, description="Findings the waiver matched.")


class NotifiedWaivers(_Body):
    applied: tuple[NotifiedWaiver, ...] = ()
    expired: tuple[NotifiedWaiver, ...] = Field(
        default=(), description="Waivers that matched but had expired, so did not apply."
    )


class NotifiedReport(_Body):
    origin: str = Field(description="Where the findings came from: S3 URI, API, file.")
    format: str
    status: ScanStatus
    status_reason: str | None = None


class NotificationV1(_Body):
    """One decision about one subject image, with what the guard did about it."""

    type: Literal["ecr-guard.decision"] = NOTIFICATION_TYPE
    version: Literal["1"] = NOTIFICATION_VERSION
    image: NotifiedImage
    verdict: Verdict
    outcome: Verdict = Field(description="The verdict as handled (UNKNOWN mapped by policy).")
    previous_verdict: Verdict | None = Field(
        default=None,
        description="The previous decision's verdict: this image's, or for a new digest, the "
        "last one for the same tag (see `changes`).",
    )
    mode: Mode
    severity: Severity | Literal["NONE"] = Field(
        description="Highest severity among active findings, before waivers; NONE without any."
    )
    team: str | None = Field(
        description="The repository's owning team: policy route, owner tag or default team."
    )
    route: NotifiedRoute | None = Field(default=None, description="How the team was found.")
    changes: NotifiedChanges | None = Field(
        default=None, description="What is new compared with the previous decision."
    )
    action: ActionReport
    summary: str = Field(description="What happened and why, in a sentence or two.")
    rules: tuple[NotifiedRule, ...]
    omitted: Omitted
    counts: NotifiedCounts
    waivers: NotifiedWaivers
    source: ReportSource
    report: NotifiedReport
    rule_set: str
    policy_fingerprint: str
    evaluated_at: datetime
    event_id: str | None = None
    release_command: str | None = Field(
        default=None, description="The command that releases the quarantined subject."
    )


def worst_first(verdict: RuleVerdict, finding: NotifiedFinding) -> tuple[int, int, float, str, str]:
    """Sort key: failing rules first, then severity, CVSS score, id and package."""
    score = finding.cvss_score if finding.cvss_score is not None else -1.0
    verdict_rank = 0 if verdict is RuleVerdict.FAIL else 1
    return (verdict_rank, -finding.severity.rank, -score, finding.id, finding.location)


def notification_schema() -> dict[str, Any]:
    """The JSON Schema of the body, as published at docs/schemas/notification-v1.schema.json."""
    schema = NotificationV1.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def schema_text() -> str:
    """The published schema file's exact content."""
    return json.dumps(notification_schema(), indent=2, ensure_ascii=False) + "\n"
