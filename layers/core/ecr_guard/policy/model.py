"""The policy document, validated completely by pydantic at load.

Every model forbids unknown keys, so a misspelt condition is an error rather than a rule that
silently matches everything. `ecr-guard policy schema` prints the JSON Schema of `Policy`.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ByteSize,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from ecr_guard.findings.model import FindingKind, Severity
from ecr_guard.policy.purl import PackageUrl

KEBAB_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# The rule ids of the image-level checks in a decision; finding rules cannot take them.
IMAGE_SIZE_RULE = "image-size"
END_OF_LIFE_OS_RULE = "end-of-life-os"
NO_USABLE_SCAN_RULE = "no-usable-scan"
RESERVED_RULE_IDS = frozenset({IMAGE_SIZE_RULE, END_OF_LIFE_OS_RULE, NO_USABLE_SCAN_RULE})

KebabId = Annotated[
    str,
    StringConstraints(pattern=KEBAB_ID.pattern, max_length=64),
    Field(description="Lower-case kebab-case identifier, for example `critical-vulns`."),
]
Pattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=256),
    Field(description="A shell-style pattern (`*`, `?`, `[abc]`), matched case-sensitively."),
]
NonEmptyText = Annotated[str, StringConstraints(min_length=1)]


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


# Enumerated values are accepted in any case (`high`, `Fail`) and stored in the documented
# spelling; the JSON Schema shows only the documented spelling, so editors suggest that one.
SeverityLevel = Annotated[Severity, BeforeValidator(_upper)]
KindName = Annotated[FindingKind, BeforeValidator(_lower)]


class RuleVerdict(StrEnum):
    """What a rule's match means for the image."""

    FAIL = "fail"
    WARN = "warn"


class UnknownHandling(StrEnum):
    """How a decision is handled when there is no usable scan (verdict UNKNOWN)."""

    FAIL = "fail"
    WARN = "warn"
    PASS = "pass"


class Mode(StrEnum):
    """`audit` reports what the guard would do; `enforce` does it."""

    AUDIT = "audit"
    ENFORCE = "enforce"


class Counting(StrEnum):
    """Whether a vulnerability in two packages counts once (default) or twice."""

    PER_VULNERABILITY = "per-vulnerability"
    PER_PACKAGE = "per-package"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    """A finding-level rule: all of its conditions must hold for a finding to match."""

    id: KebabId
    verdict: Annotated[RuleVerdict, BeforeValidator(_lower)] = Field(
        description="`fail` or `warn`: what a match means for the image."
    )
    description: str | None = Field(
        default=None, max_length=500, description="Shown to developers when the rule fires."
    )
    kind: KindName | Annotated[list[KindName], Field(min_length=1)] | None = Field(
        default=None, description="Finding kind(s) the rule applies to; any kind when absent."
    )
    severity: SeverityLevel | Annotated[list[SeverityLevel], Field(min_length=1)] | None = Field(
        default=None,
        description="One level means that level or worse (`UNKNOWN`: any level); a list means "
        "exactly those levels.",
    )
    min_cvss: float | None = Field(
        default=None,
        ge=0,
        le=10,
        description="CVSS base score at least this high; findings without a score do not match.",
    )
    fixable: bool | None = Field(
        default=None,
        description="true: a fix exists for at least one affected package; false: for none.",
    )
    ids: Annotated[list[NonEmptyText], Field(min_length=1)] | None = Field(
        default=None, description="Vulnerability or rule ids (CVE, GHSA…), case-insensitive."
    )
    packages: Annotated[list[Pattern], Field(min_length=1)] | None = Field(
        default=None,
        description="Patterns on the affected package's name; findings without one do not match.",
    )
    min_age_days: int | None = Field(
        default=None,
        ge=0,
        description="Published at least this many days ago; an unknown date does not match.",
    )
    exploit_available: bool | None = Field(
        default=None,
        description="true: only findings whose source reports a known exploit; false: only "
        "findings whose source reports none.",
    )
    min_epss: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="EPSS probability at least this high, where the source has it.",
    )


class SizeLimit(_Strict):
    """The largest image the policy accepts, and the verdict when an image is larger."""

    max: ByteSize = Field(description="Largest allowed image size, for example `1GiB`.")
    verdict: Annotated[RuleVerdict, BeforeValidator(_lower)] = Field(
        default=RuleVerdict.WARN, description="`fail` or `warn` when the image is larger."
    )


class ImageRules(_Strict):
    """Image-level rules, checked once per image."""

    max_size: SizeLimit | None = Field(
        default=None, description="Image size limit; off when absent."
    )
    end_of_life_os: Annotated[RuleVerdict, BeforeValidator(_lower)] | None = Field(
        default=None,
        description="Verdict when the base OS is past its end of life; off when absent.",
    )
    unknown: Annotated[UnknownHandling, BeforeValidator(_lower)] = Field(
        default=UnknownHandling.WARN,
        description="How to handle an image without a usable scan (failed, unsupported, none).",
    )


class Match(_Strict):
    """Which images a rule set applies to: a repository pattern and a tag pattern must match."""

    repositories: list[Pattern] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        description="Patterns on the repository name; `*` also matches across `/`.",
    )
    tags: list[Pattern] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        description="An untagged image matches only a pattern that matches the empty string.",
    )


class RuleSet(_Strict):
    """Rules for the images whose repository and tag match; replaces the default rules."""

    name: KebabId
    match: Match = Field(description="The images this rule set applies to.")
    mode: Annotated[Mode, BeforeValidator(_lower)] | None = Field(
        default=None, description="Overrides the deployment's mode."
    )
    rules: list[Rule] = Field(
        default_factory=list, description="The rules for these images, in order."
    )
    image: ImageRules = Field(
        default_factory=ImageRules, description="Image-level rules for these images."
    )


class Waiver(_Strict):
    """An accepted risk: one id, optionally narrowed, with a reason, an approver and an expiry."""

    id: NonEmptyText = Field(description="The finding id waived (CVE, GHSA, rule id), any case.")
    package: Pattern | None = Field(default=None, description="Pattern on the package name.")
    purl: str | None = Field(
        default=None,
        description="Package URL. Without a version it matches every version; qualifiers given "
        "must all be present.",
    )
    path: Pattern | None = Field(
        default=None,
        description="Pattern on the file path, as in `.trivyignore.yaml`: `*` stays within one "
        "folder, `**` spans folders.",
    )
    repositories: list[Pattern] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        description="Patterns on the repository name of the images the waiver covers.",
    )
    tags: list[Pattern] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        description="Patterns on the tags of the images the waiver covers.",
    )
    reason: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)] = Field(
        description="Why the risk is accepted."
    )
    approved_by: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)] = Field(
        description="Who accepted the risk."
    )
    expires: date = Field(description="The last day the waiver applies (UTC).")

    @field_validator("purl")
    @classmethod
    def _purl_parses(cls, value: str | None) -> str | None:
        if value is not None:
            PackageUrl.parse(value)
        return value


TeamName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,63}$"),
    Field(
        description="A team name as subscriptions filter on it (the `team` message attribute): "
        "letters, digits and `._:/@+-`, at most 64 characters."
    ),
]

EmailAddress = Annotated[
    str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
]
SlackChannel = Annotated[str, StringConstraints(pattern=r"^#?[a-z0-9][a-z0-9._-]{0,79}$")]


class NotificationRoute(_Strict):
    """Which team owns the repositories matching `repositories`, and where it is told."""

    repositories: list[Pattern] = Field(
        min_length=1, description="Patterns on the repository name; `*` also matches across `/`."
    )
    team: TeamName
    email: EmailAddress | None = Field(
        default=None,
        description="The team's address: documents the email subscription that filters on the "
        "team (the guard cannot subscribe addresses itself: each must confirm).",
    )
    slack_channel: SlackChannel | None = Field(
        default=None,
        description="The Slack channel for these repositories, e.g. `#payments-alerts`: the key "
        "of its incoming webhook in the webhook secret (sent as the `slack_channel` attribute).",
    )


class Notifications(_Strict):
    """Who is told about a decision: the first route whose patterns match the repository, else
    the repository's owner tag, else `default_team`."""

    routes: list[NotificationRoute] = Field(
        default_factory=list, description="Routes by repository pattern; the first match wins."
    )
    default_team: TeamName | None = Field(
        default=None,
        description="The team of repositories no route matches and no owner tag names.",
    )


class Policy(_Strict):
    """The whole policy document."""

    version: Literal[1] = Field(default=1, description="Version of the policy format.")
    name: str | None = Field(default=None, max_length=100, description="Shown in reports.")
    counting: Annotated[Counting, BeforeValidator(_lower)] = Field(
        default=Counting.PER_VULNERABILITY,
        description="`per-vulnerability`: one finding per id, whatever the packages; "
        "`per-package`: one per affected package.",
    )
    mode: Annotated[Mode, BeforeValidator(_lower)] | None = Field(
        default=None, description="Mode for images no rule set matches; the deployment's if absent."
    )
    rules: list[Rule] = Field(
        default_factory=list, description="The default rules, for images no rule set matches."
    )
    image: ImageRules = Field(
        default_factory=ImageRules,
        description="Image-level rules for images no rule set matches.",
    )
    rule_sets: list[RuleSet] = Field(
        default_factory=list, description="Scoped rule sets; the first that matches wins."
    )
    waivers: list[Waiver] = Field(
        default_factory=list, description="Accepted risks; each one expires."
    )
    waiver_files: list[str] = Field(
        default_factory=list,
        description="`.trivyignore.yaml` files to load as waivers, relative to the policy file.",
    )
    notifications: Notifications | None = Field(
        default=None,
        description="Routing of notifications to teams; without it, the repository's owner tag "
        "names the team.",
    )
