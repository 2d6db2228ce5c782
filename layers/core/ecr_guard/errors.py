"""The one error hierarchy of ecr-guard.

Errors are raised narrowly and caught only at boundaries: the CLI turns an `InputError` into one
line on stderr and exit code 2; a Lambda handler lets anything but an expected race propagate so
that Lambda retries and the dead-letter queue sees it.
"""

from __future__ import annotations


class GuardError(Exception):
    """Base class of every error ecr-guard raises on purpose."""


class InputError(GuardError):
    """Something given to ecr-guard cannot be used: a report, a policy, an event, a scenario.

    `source` names where it came from (a file path, `policy`, an event id) and `location` says
    where inside it (a field path such as `rules[2].severity`, or `line 4`), when known. `str()`
    gives the single line a user sees.
    """

    def __init__(self, source: str, message: str, *, location: str | None = None) -> None:
        self.source = source
        self.message = message
        self.location = location
        super().__init__(self.render())

    def render(self) -> str:
        where = f"{self.source}: {self.location}" if self.location else self.source
        return f"{where}: {self.message}"


class ReportError(InputError):
    """A scan report is empty, truncated, not JSON, of an unsupported format or too large."""


class UnsupportedFormatError(ReportError):
    """A recognised format that is not a supported input (SARIF, CycloneDX, ASFF, table text)."""

    def __init__(self, source: str, format_name: str, hint: str) -> None:
        self.format_name = format_name
        super().__init__(source, f"this is {format_name}, not a supported scan report; {hint}")


class PolicyError(InputError):
    """A policy document fails validation."""


class EventError(InputError):
    """An event reaching a function has a shape ecr-guard cannot use."""


class ScenarioError(InputError):
    """A simulation scenario file fails validation."""


class ConfigError(GuardError):
    """A deployment setting (environment variable, SSM parameter) is missing or invalid."""


class AwsError(GuardError):
    """An AWS call failed in a way the guard understands; the botocore error is chained."""


class ImageNotFoundError(AwsError):
    """The image was deleted meanwhile: an expected race, logged and acknowledged."""


class ScanNotReadyError(AwsError):
    """Findings are not available yet: retry later, never treat as clean."""


class ImmutableTagError(AwsError):
    """The repository refuses to move a tag because tags are immutable and not excluded."""


class DeliveryError(GuardError):
    """A notification could not be delivered (a chat webhook refused it, or retries ran out).

    The message never holds a webhook URL: those are secrets.
    """
