"""Collecting what one step did, and turning it into a `StepResult`."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ecr_guard.images import short_digest
from ecr_guard.sim.functions import Invocation
from ecr_guard.sim.observe import ItemKey
from ecr_guard.sim.report import (
    DecisionView,
    Delivery,
    ImageView,
    InvocationSummary,
    Notification,
    StepResult,
)
from ecr_guard.sim.scenario import Event

if TYPE_CHECKING:
    from ecr_guard.sim.steps import StepContext

# Log records worth showing besides warnings and errors.
_NOTABLE = frozenset({"event ignored", "report rejected", "duplicate delivery", "image gone"})
# Powertools keys that describe the invocation rather than what happened.
_INVOCATION_KEYS = frozenset(
    {
        "timestamp",
        "location",
        "service",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "xray_trace_id",
        "sampling_rate",
        "name",
    }
)
_WORRYING = frozenset({"WARNING", "ERROR", "CRITICAL"})


class StepRecorder:
    """What one step sent, invoked and noticed, as it goes."""

    def __init__(self, *, index: int, event: Event, time: datetime):
        self.index = index
        self.event = event
        self.time = time
        self.deliveries: list[Delivery] = []
        self.invocations: list[Invocation] = []
        self.summaries: list[InvocationSummary] = []
        self.remarks: list[str] = []
        self.release: dict[str, Any] | None = None
        self._names: Mapping[str, str] = {}

    def arrived(self, function: str, event: Mapping[str, Any], summary: str) -> None:
        self.deliveries.append(
            Delivery(
                function=function,
                source=str(event.get("source", "")),
                detail_type=str(event.get("detail-type", "")),
                summary=summary,
                event=dict(event),
            )
        )

    def arrived_body(self, function: str, body: str) -> None:
        try:
            event = json.loads(body)
        except ValueError:
            event = {"body": body}
        if not isinstance(event, dict):
            event = {"body": event}
        self.arrived(function, event, describe_event(event))

    def invoked(self, invocation: Invocation, *, records: int, failed: int) -> None:
        self.invocations.append(invocation)
        self.summaries.append(
            InvocationSummary(
                function=invocation.function,
                cold_start=invocation.cold_start,
                records=records,
                failed=failed,
                error=f"{type(invocation.error).__name__}: {invocation.error}"
                if invocation.error
                else None,
            )
        )

    def result(
        self,
        *,
        context: StepContext,
        changed: list[dict[str, Any]],
        ledger: Mapping[ItemKey, dict[str, Any]],
        notifications: list[Notification],
        dead_letters: dict[str, int],
    ) -> StepResult:
        names = context.references
        metrics: Counter[str] = Counter()
        for invocation in self.invocations:
            metrics.update(invocation.metrics)
        return StepResult(
            index=self.index,
            type=self.event.type,
            title=step_title(self.event),
            note=self.event.note,
            show_email=self.event.show_email,
            time=self.time,
            deliveries=self.deliveries,
            invocations=self.summaries,
            decisions=self._decisions(names, changed),
            actions=[item for item in changed if str(item["sk"]).startswith("action#")],
            release=self.release,
            notifications=notifications,
            images=_images(context, ledger),
            ledger=changed,
            logs=self._logs(),
            metrics=dict(sorted(metrics.items())),
            dead_letters=dead_letters,
            remarks=self.remarks,
        )

    def _decisions(
        self, names: Mapping[str, str], changed: list[dict[str, Any]]
    ) -> list[DecisionView]:
        summaries = {
            str(item["pk"]).rsplit("#", 1)[-1]: str(item.get("summary", ""))
            for item in changed
            if str(item["sk"]).startswith("decision#")
        }
        views = []
        for invocation in self.invocations:
            for record in invocation.messages("decision"):
                digest = str(record.get("digest", ""))
                subject = str(record.get("subject") or digest)
                views.append(
                    DecisionView(
                        image=names.get(digest),
                        repository=str(record.get("repository", "")),
                        digest=digest,
                        tags=[str(tag) for tag in record.get("tags", [])],
                        verdict=str(record.get("verdict", "")),
                        outcome=str(record.get("outcome", "")),
                        rule_ids=[str(rule) for rule in record.get("rule_ids", [])],
                        mode=str(record.get("mode", "")),
                        action=str(record.get("action", "none")),
                        performed=bool(record.get("performed")),
                        pending=bool(record.get("pending")),
                        notified=bool(record.get("notified")),
                        source=str(record.get("source", "")),
                        subject=names.get(subject),
                        subject_digest=subject,
                        subject_verdict=record.get("subject_verdict") or record.get("verdict"),
                        summary=summaries.get(digest) or None,
                    )
                )
        return views

    def _logs(self) -> list[dict[str, Any]]:
        shown = []
        for invocation in self.invocations:
            for record in invocation.logs:
                level = str(record.get("level", ""))
                if level in _WORRYING or record.get("message") in _NOTABLE:
                    shown.append(
                        {
                            "function": invocation.function,
                            **{k: v for k, v in record.items() if k not in _INVOCATION_KEYS},
                        }
                    )
        return shown


def _images(context: StepContext, ledger: Mapping[ItemKey, dict[str, Any]]) -> list[ImageView]:
    quarantined = {
        str(item.get("digest"))
        for (_, sort_key), item in ledger.items()
        if sort_key == "state" and (item.get("quarantine") or {}).get("status") == "QUARANTINED"
    }
    views = []
    for repository in context.simulation.scenario.repositories:
        for view in context.registry.images(repository):
            views.append(
                ImageView(
                    image=context.references.get(view.digest),
                    repository=view.repository,
                    digest=view.digest,
                    tags=list(view.tags),
                    storage_class=view.storage_class,
                    quarantined=view.digest in quarantined,
                )
            )
    return sorted(views, key=lambda view: (view.repository, view.image or "", view.digest))


def step_title(event: Event) -> str:
    image = getattr(event, "image", None)
    platforms = getattr(event, "platforms", None)
    parts: list[str] = [event.type]
    if image:
        parts.append(image)
    if platforms:
        parts.append(f"({', '.join(platforms)})")
    return " ".join(parts)


def describe_event(event: Mapping[str, Any]) -> str:
    """One line saying what an EventBridge-shaped event is about."""
    detail_type = str(event.get("detail-type", ""))
    detail = event.get("detail") or {}
    if not isinstance(detail, dict):
        return detail_type
    repository = str(detail.get("repository-name", "")).split(":repository/")[-1]
    digest = str(detail.get("image-digest") or detail.get("index-digest") or "")
    image = f"{repository}@{short_digest(digest)}" if digest else repository
    describe = _DESCRIPTIONS.get(detail_type)
    return describe(detail, image) if describe else f"{detail_type} {image}".strip()


def _inspector_finding(detail: Mapping[str, Any], image: str) -> str:
    vulnerability = (detail.get("packageVulnerabilityDetails") or {}).get("vulnerabilityId")
    return f"Inspector2 Finding {vulnerability} {detail.get('status')} ({detail.get('severity')})"


def _object_created(detail: Mapping[str, Any], image: str) -> str:
    bucket = (detail.get("bucket") or {}).get("name")
    key = (detail.get("object") or {}).get("key")
    return f"S3 Object Created s3://{bucket}/{key}"


_DESCRIPTIONS: Mapping[str, Callable[[Mapping[str, Any], str], str]] = {
    "ECR Image Scan": lambda detail, image: (
        f"ECR Image Scan {detail.get('scan-status')} for {image}"
        f"{_counts(detail.get('finding-severity-counts'))}"
    ),
    "Inspector2 Scan": lambda detail, image: (
        f"Inspector2 Scan for {image}{_counts(detail.get('finding-severity-counts'))}"
    ),
    "Inspector2 Finding": _inspector_finding,
    "Object Created": _object_created,
    "Trivy Report Uploaded": lambda detail, image: (
        f"Trivy Report Uploaded for {image} (s3://{detail.get('bucket')}/{detail.get('key')})"
    ),
    "Evaluate Index": lambda detail, image: f"Evaluate Index {image} (from the push recorder)",
}


def _counts(counts: Any) -> str:
    if not isinstance(counts, dict) or not counts:
        return ""
    return " (" + ", ".join(f"{level} {count}" for level, count in counts.items()) + ")"
