"""What `ecr-guard check` hands to every output format: the decisions and the unusable inputs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from ecr_guard import __version__
from ecr_guard.errors import InputError
from ecr_guard.policy.decision import Decision, Verdict


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"


class ExitCode(IntEnum):
    """The exit codes of `ecr-guard`, the contract a pipeline relies on."""

    OK = 0
    """Every outcome is PASS or WARN."""
    POLICY_FAILED = 1
    """At least one outcome is FAIL."""
    INPUT_ERROR = 2
    """A report, the policy or an option cannot be used; the gate must not pass."""
    INTERNAL_ERROR = 3
    """ecr-guard itself failed: a bug to report, never a verdict."""


@dataclass(frozen=True)
class CheckRun:
    """One `ecr-guard check` invocation: a decision per usable report, an error per unusable one."""

    decisions: tuple[Decision, ...]
    errors: tuple[InputError, ...] = ()
    tool_version: str = __version__

    @property
    def outcome(self) -> Verdict:
        """The worst outcome of all decisions (PASS when there are none)."""
        return Verdict.worst([decision.outcome for decision in self.decisions])

    @property
    def exit_code(self) -> ExitCode:
        # An unusable input wins over any verdict: a gate must not pass on what it could not read.
        if self.errors:
            return ExitCode.INPUT_ERROR
        # The policy maps UNKNOWN onto PASS, WARN or FAIL; an outcome still UNKNOWN fails safe.
        if self.outcome.rank >= Verdict.UNKNOWN.rank:
            return ExitCode.POLICY_FAILED
        return ExitCode.OK
