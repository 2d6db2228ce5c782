"""The policy document, validated completely by pydantic at load.

Every model forbids unknown keys, so a misspelt condition is an error rather than a rule that
silently matches everything. `ecr-guard policy schema` prints the JSON Schema of `Policy`.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ByteSize, ConfigDict, Field, StringConstraints

from ecr_guard.findings.model import FindingKind, Severity

KEBAB_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

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
    verdict: RuleVerdict
    description: str | None = Field(
        default=None, max_length=500, description="Shown to developers when the rule fires."
    )
    kind: FindingKind | list[FindingKind] | None = Field(
        default=None, description="Finding kind(s) the rule applies to; any kind when absent."
    )
    severity: Severity | list[Severity] | None = Field(
        default=None,
        description="One level means that level or worse; a list means exactly those levels.",
    )
    min_cvss: float | None = Field(default=None, ge=0, le=10)
    fixable: bool | None = Field(
        default=None,
        description="true: a fix exists for at least one affected package; false: for none.",
    )
    ids: list[Annotated[str, StringConstraints(min_length=1)]] | None = Field(
        default=None, description="Vulnerability or rule ids (CVE, GHSA…), case-insensitive."
    )
    packages: list[Pattern] | None = Field(
        default=None, description="Patterns on the affected package's name."
    )
    min_age_days: int | None = Field(
        default=None, ge=0, description="Published at least this many days ago."
    )
    exploit_available: bool | None = Field(
        default=None, description="Match only findings whose source reports a known exploit."
    )
    min_epss: float | None = Field(
        default=None, ge=0, le=1, description="EPSS probability, where the source has it."
    )


class SizeLimit(_Strict):
    max: ByteSize = Field(description="Largest allowed image size, for example `1GiB`.")
    verdict: RuleVerdict = RuleVerdict.WARN


class ImageRules(_Strict):
    """Image-level rules, checked once per image."""

    max_size: SizeLimit | None = None
    end_of_life_os: RuleVerdict | None = Field(
        default=None,
        description="Verdict when the base OS is past its end of life; off when absent.",
    )
    unknown: UnknownHandling = Field(
        default=UnknownHandling.WARN,
        description="How to handle an image without a usable scan (failed, unsupported, none).",
    )


class Match(_Strict):
    repositories: list[Pattern] = Field(default_factory=lambda: ["*"], min_length=1)
    tags: list[Pattern] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        description="An untagged image matches only a pattern that matches the empty string.",
    )


class RuleSet(_Strict):
    """Rules for the images whose repository and tag match; replaces the default rules."""

    name: KebabId
    match: Match
    mode: Mode | None = Field(default=None, description="Overrides the deployment's mode.")
    rules: list[Rule] = Field(default_factory=list)
    image: ImageRules = ImageRules()


class Waiver(_Strict):
    """An accepted risk: one id, optionally narrowed, with a reason, an approver and an expiry."""

    id: Annotated[str, StringConstraints(min_length=1)]
    package: Pattern | None = Field(default=None, description="Pattern on the package name.")
    purl: str | None = Field(default=None, description="Exact package URL.")
    path: Pattern | None = Field(default=None, description="Pattern on the file path.")
    repositories: list[Pattern] = Field(default_factory=lambda: ["*"], min_length=1)
    tags: list[Pattern] = Field(default_factory=lambda: ["*"], min_length=1)
    reason: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    approved_by: Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
    expires: date = Field(description="The last day the waiver applies (UTC).")


class Policy(_Strict):
    """The whole policy document."""

    version: Literal[1] = 1
    name: str | None = Field(default=None, max_length=100)
    counting: Counting = Counting.PER_VULNERABILITY
    mode: Mode | None = Field(
        default=None, description="Mode for images no rule set matches; the deployment's if absent."
    )
    rules: list[Rule] = Field(
        default_factory=list, description="The default rules, for images no rule set matches."
    )
    image: ImageRules = ImageRules()
    rule_sets: list[RuleSet] = Field(
        default_factory=list, description="Scoped rule sets; the first that matches wins."
    )
    waivers: list[Waiver] = Field(default_factory=list)
    waiver_files: list[str] = Field(
        default_factory=list,
        description="`.trivyignore.yaml` files to load as waivers, relative to the policy file.",
    )
