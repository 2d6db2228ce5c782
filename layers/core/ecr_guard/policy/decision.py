"""The decision: what evaluation yields for one image, and what every output renders."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from ecr_guard.findings.model import (
    Finding,
    FindingKind,
    FixAvailability,
    ReportSource,
    ScanStatus,
    Severity,
)
from ecr_guard.images import ImageRef
from ecr_guard.policy.model import Mode, RuleVerdict, Waiver


class Verdict(StrEnum):
    PASS = "PASS"
    WARN = "WARN"
    UNKNOWN = "UNKNOWN"
    FAIL = "FAIL"

    @property
    def rank(self) -> int:
        """PASS < WARN < UNKNOWN < FAIL: the worst of several verdicts is the highest rank."""
        return _VERDICT_RANK[self]

    @classmethod
    def worst(cls, verdicts: list[Verdict]) -> Verdict:
        return max(verdicts, key=lambda verdict: verdict.rank, default=cls.PASS)


_VERDICT_RANK = {Verdict.PASS: 0, Verdict.WARN: 1, Verdict.UNKNOWN: 2, Verdict.FAIL: 3}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FindingGroup(_Frozen):
    """One vulnerability (or secret, or misconfiguration) and every occurrence of it.

    With `counting: per-package` each group holds a single occurrence.
    """

    kind: FindingKind
    id: str
    severity: Severity = Field(description="The worst severity among the occurrences.")
    fix: FixAvailability = Field(description="YES if every occurrence has a fix, PARTIAL if some.")
    title: str | None = None
    url: str | None = None
    cvss_score: float | None = None
    occurrences: tuple[Finding, ...] = Field(min_length=1)


class RuleOutcome(_Frozen):
    """A rule that fired, with a sentence a developer can act on and the findings behind it."""

    rule_id: str
    verdict: RuleVerdict
    message: str
    description: str | None = None
    findings: tuple[FindingGroup, ...] = ()


class WaiverUse(_Frozen):
    """A waiver that matched findings of this image: applied, or expired and so not applied."""

    waiver: Waiver
    findings: tuple[FindingGroup, ...] = ()


class Counts(_Frozen):
    """Counts of active findings after grouping, before waivers; zero levels included."""

    total: int
    by_severity: dict[Severity, int]
    by_kind: dict[FindingKind, int]
    waived: int = 0
    inactive: int = Field(default=0, description="Closed, suppressed or not-affected findings.")


class ReportSummary(_Frozen):
    source: ReportSource
    origin: str
    format: str
    status: ScanStatus
    status_reason: str | None = None


class Decision(_Frozen):
    """The outcome of evaluating one report of one image against a policy."""

    verdict: Verdict
    outcome: Verdict = Field(
        description="How the verdict is handled: equal to the verdict, except that UNKNOWN is "
        "handled as PASS, WARN or FAIL as the policy says."
    )
    summary: str = Field(description="One sentence saying what was decided and why.")
    image: ImageRef | None = None
    rule_set: str = Field(description="`default` or the name of the rule set that matched.")
    mode: Mode | None = Field(default=None, description="The rule set's mode override, if any.")
    rules: tuple[RuleOutcome, ...] = ()
    waivers_applied: tuple[WaiverUse, ...] = ()
    waivers_expired: tuple[WaiverUse, ...] = ()
    counts: Counts
    policy_fingerprint: str
    evaluated_at: datetime
    report: ReportSummary
