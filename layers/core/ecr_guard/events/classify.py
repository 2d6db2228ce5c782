"""One entry point from a raw event to a typed event the guard handles, or a reason to ignore it.

Routing is on (`source`, `detail-type`) first, then on the few detail fields that say whether an
event of a handled type concerns the guard at all (a DELETE, a Lambda function's scan). Only an
event that passes routing is validated, so an event that is merely not for the guard is never
an error; one that is for the guard but malformed raises `EventError` naming the field.

Recognised and ignored on purpose: "ECR Referrer Action" (signatures and SBOMs are not images),
"ECR Replication Action" and "ECR Pull Through Cache Action" (the replicated or cached image
is judged by its own scan events), "ECR Scan Resource Change" and "Inspector2 Coverage".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ecr_guard.errors import EventError
from ecr_guard.events.ecr import (
    EcrActionResult,
    EcrImageAction,
    EcrImageActionEvent,
    EcrImageScanEvent,
)
from ecr_guard.events.envelope import DetailType, EventSource
from ecr_guard.events.inspector import (
    ECR_IMAGE_RESOURCE,
    Inspector2FindingEvent,
    Inspector2ScanEvent,
)
from ecr_guard.events.reports import S3ObjectCreatedEvent, TrivyReportUploadedEvent
from ecr_guard.events.requests import EvaluateIndexRequest
from ecr_guard.findings.parsing import join_location
from ecr_guard.images import ImageRef

ImageEvent = (
    EcrImageActionEvent
    | EcrImageScanEvent
    | Inspector2ScanEvent
    | Inspector2FindingEvent
    | TrivyReportUploadedEvent
    | EvaluateIndexRequest
)
"""The handled events that name their image."""

GuardEvent = ImageEvent | S3ObjectCreatedEvent
"""Every event the guard handles. An S3 event's image is bound from the report object."""

_NOTE_LIMIT = 200
_SHOWN_INPUT_LIMIT = 80


class IgnoreReason(StrEnum):
    NOT_AN_EVENT = "not-an-event"
    UNHANDLED_DETAIL_TYPE = "unhandled-detail-type"
    REFERRER_ACTION = "referrer-action"
    ACTION_NOT_PUSH = "action-not-push"
    RESULT_NOT_SUCCESS = "result-not-success"
    NOT_AN_ECR_IMAGE = "not-an-ecr-image"


class IgnoredEvent(BaseModel):
    """An event that is not for the guard: logged ("event ignored"), counted and acknowledged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: IgnoreReason
    source: str | None = None
    detail_type: str | None = None
    event_id: str | None = None
    note: str | None = None

    def log_extra(self) -> dict[str, str | None]:
        return {
            "reason": self.reason.value,
            "source": self.source,
            "detail_type": self.detail_type,
            "event_id": self.event_id,
            "note": self.note,
        }


def classify(raw: Mapping[str, Any]) -> GuardEvent | IgnoredEvent:
    """The typed event for `raw`, or why the guard ignores it.

    Raises `EventError` only for an event of a handled type that lacks or garbles a field the
    guard needs.
    """
    source, detail_type = raw.get("source"), raw.get("detail-type")
    event_id = _text(raw.get("id"))
    if not isinstance(source, str) or not isinstance(detail_type, str):
        return IgnoredEvent(reason=IgnoreReason.NOT_AN_EVENT, event_id=event_id)

    def ignored(reason: IgnoreReason, note: str | None = None) -> IgnoredEvent:
        return IgnoredEvent(
            reason=reason,
            source=source,
            detail_type=detail_type,
            event_id=event_id,
            note=note[:_NOTE_LIMIT] if note else None,
        )

    route = _ROUTES.get((source, detail_type))
    if route is None:
        if (source, detail_type) == (EventSource.ECR, DetailType.ECR_REFERRER_ACTION):
            return ignored(IgnoreReason.REFERRER_ACTION)
        return ignored(IgnoreReason.UNHANDLED_DETAIL_TYPE)

    model, screen = route
    detail = raw.get("detail")
    if screen is not None and isinstance(detail, Mapping):
        refusal = screen(raw, detail)
        if refusal is not None:
            return ignored(*refusal)
    return _validate(model, raw, event_id)


def image_ref(event: GuardEvent) -> ImageRef | None:
    """The image an event names; None for an S3 event (its image is bound from the object)."""
    if isinstance(event, S3ObjectCreatedEvent):
        return None
    return event.image_ref()


def scan_marker(event: GuardEvent) -> str:
    """The business fact that makes a delivery unique, beside the image, for idempotency."""
    return event.scan_marker()


Refusal = tuple[IgnoreReason, str | None]
Screen = Callable[[Mapping[str, Any], Mapping[str, Any]], Refusal | None]


def _screen_image_action(raw: Mapping[str, Any], detail: Mapping[str, Any]) -> Refusal | None:
    action, result = detail.get("action-type"), detail.get("result")
    if isinstance(action, str) and action != EcrImageAction.PUSH:
        return IgnoreReason.ACTION_NOT_PUSH, f"action-type {action}"
    if isinstance(result, str) and result != EcrActionResult.SUCCESS:
        return IgnoreReason.RESULT_NOT_SUCCESS, f"result {result}"
    return None


def _screen_inspector_scan(raw: Mapping[str, Any], detail: Mapping[str, Any]) -> Refusal | None:
    # EC2 scans carry `instance-id` and Lambda scans neither repository nor image fields.
    if "repository-name" in detail or "image-digest" in detail:
        return None
    return IgnoreReason.NOT_AN_ECR_IMAGE, _resources_note(raw.get("resources"))


def _screen_inspector_finding(raw: Mapping[str, Any], detail: Mapping[str, Any]) -> Refusal | None:
    resources = detail.get("resources")
    if not isinstance(resources, list) or not resources:
        return None
    types = [item.get("type") for item in resources if isinstance(item, Mapping)]
    if ECR_IMAGE_RESOURCE in types:
        return None
    shown = ", ".join(str(kind) for kind in types)
    return IgnoreReason.NOT_AN_ECR_IMAGE, f"resource types {shown}" if shown else None


def _resources_note(resources: object) -> str | None:
    if isinstance(resources, list) and resources:
        return "resources " + ", ".join(str(item) for item in resources)
    return None


_ROUTES: dict[tuple[str, str], tuple[type[GuardEvent], Screen | None]] = {
    (EventSource.ECR, DetailType.ECR_IMAGE_ACTION): (EcrImageActionEvent, _screen_image_action),
    (EventSource.ECR, DetailType.ECR_IMAGE_SCAN): (EcrImageScanEvent, None),
    (EventSource.INSPECTOR, DetailType.INSPECTOR_SCAN): (
        Inspector2ScanEvent,
        _screen_inspector_scan,
    ),
    (EventSource.INSPECTOR, DetailType.INSPECTOR_FINDING): (
        Inspector2FindingEvent,
        _screen_inspector_finding,
    ),
    (EventSource.S3, DetailType.S3_OBJECT_CREATED): (S3ObjectCreatedEvent, None),
    (EventSource.CI, DetailType.TRIVY_REPORT_UPLOADED): (TrivyReportUploadedEvent, None),
    (EventSource.GUARD, DetailType.EVALUATE_INDEX): (EvaluateIndexRequest, None),
}


def _validate(model: type[GuardEvent], raw: Mapping[str, Any], event_id: str | None) -> GuardEvent:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise _event_error(event_id, error) from error


def _event_error(event_id: str | None, error: ValidationError) -> EventError:
    """The first problem as one line: the event, the field path, what is wrong."""
    details = error.errors(include_url=False)
    first = details[0]
    message = first["msg"].removeprefix("Value error, ")
    shown = first.get("input")
    if isinstance(shown, str | int | float | bool) and first["type"] != "missing":
        message = f"{message} (got {_short(repr(shown))})"
    if len(details) > 1:
        more = len(details) - 1
        message = f"{message} (and {more} more problem{'s' if more > 1 else ''})"
    location = join_location("", first["loc"])
    return EventError(f"event {event_id or '(no id)'}", message, location=location or None)


def _text(value: object) -> str | None:
    return _short(value) if isinstance(value, str) and value else None


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _SHOWN_INPUT_LIMIT else flat[: _SHOWN_INPUT_LIMIT - 3] + "..."
