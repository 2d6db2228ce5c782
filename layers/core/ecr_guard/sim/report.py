"""What a simulation observed, step by step: the document `ecr-guard simulate --json` prints and
the readable account is rendered from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

REPORT_VERSION = "1"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Delivery(_Model):
    """One event as it arrived: at which function, of which kind, about what."""

    function: str
    source: str
    detail_type: str
    summary: str
    event: dict[str, Any]


class InvocationSummary(_Model):
    function: str
    cold_start: bool
    records: int = Field(description="Records in the batch (1 for the push recorder).")
    failed: int = Field(default=0, description="Records (or the event) that failed.")
    error: str | None = None


class DecisionView(_Model):
    """One "decision" log line of the guard, with the image names of the scenario."""

    image: str | None = Field(description="The scenario's name for the evaluated image.")
    repository: str
    digest: str
    tags: list[str]
    verdict: str
    outcome: str
    rule_ids: list[str]
    mode: str
    action: str
    performed: bool
    pending: bool
    notified: bool
    source: str
    subject: str | None = Field(description="The scenario's name for the subject acted on.")
    subject_digest: str
    subject_verdict: str | None = None
    summary: str | None = Field(default=None, description="From the ledger's decision record.")


class Notification(_Model):
    """One message published on the decision topic, as a subscriber receives it."""

    subject: str
    attributes: dict[str, str]
    body: dict[str, Any]
    email: str | None = Field(default=None, description="The text email subscribers receive.")


class ImageView(_Model):
    """An image as ECR shows it after the step (and whether the ledger holds it quarantined)."""

    image: str | None
    repository: str
    digest: str
    tags: list[str]
    storage_class: str
    quarantined: bool


class Expectation(_Model):
    check: str
    expected: Any
    actual: Any
    passed: bool


class StepResult(_Model):
    index: int
    type: str
    title: str
    note: str | None = None
    show_email: bool = False
    time: datetime
    deliveries: list[Delivery] = Field(default_factory=list)
    invocations: list[InvocationSummary] = Field(default_factory=list)
    decisions: list[DecisionView] = Field(default_factory=list)
    actions: list[dict[str, Any]] = Field(
        default_factory=list, description="Action records the ledger gained in the step."
    )
    release: dict[str, Any] | None = None
    notifications: list[Notification] = Field(default_factory=list)
    images: list[ImageView] = Field(default_factory=list)
    ledger: list[dict[str, Any]] = Field(
        default_factory=list, description="Ledger items written or changed in the step."
    )
    logs: list[dict[str, Any]] = Field(
        default_factory=list, description="Warnings and errors the functions logged."
    )
    metrics: dict[str, int] = Field(default_factory=dict)
    dead_letters: dict[str, int] = Field(default_factory=dict)
    remarks: list[str] = Field(default_factory=list)
    expectations: list[Expectation] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(expectation.passed for expectation in self.expectations)


class ScenarioResult(_Model):
    scenario: str
    file: str
    description: str | None = None
    emulator: str
    region: str
    account: str
    steps: list[StepResult]

    @property
    def passed(self) -> bool:
        return all(step.passed for step in self.steps)

    @property
    def failed_expectations(self) -> int:
        return sum(
            1 for step in self.steps for expectation in step.expectations if not expectation.passed
        )

    def document(self) -> dict[str, Any]:
        body = self.model_dump(mode="json")
        body["passed"] = self.passed
        for step, dumped in zip(self.steps, body["steps"], strict=True):
            dumped["passed"] = step.passed
        return body


def report_document(results: list[ScenarioResult]) -> dict[str, Any]:
    """The `--json` document for one run of one or more scenarios."""
    return {
        "version": REPORT_VERSION,
        "passed": all(result.passed for result in results),
        "scenarios": [result.document() for result in results],
    }
