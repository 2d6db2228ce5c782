"""The events the guard receives, as typed models, and `classify` from a raw event to one of them.

Every queue record is an EventBridge-shaped event: ECR, Inspector and S3 events routed by
EventBridge rules, CI's "Trivy Report Uploaded", and the push recorder's "Evaluate Index".
"""

from ecr_guard.events.classify import (
    GuardEvent,
    IgnoredEvent,
    IgnoreReason,
    ImageEvent,
    classify,
    image_ref,
    scan_marker,
)
from ecr_guard.events.ecr import (
    EcrActionResult,
    EcrImageAction,
    EcrImageActionEvent,
    EcrImageScanEvent,
    EcrScanStatus,
)
from ecr_guard.events.envelope import DetailType, EventEnvelope, EventSource, SeverityCounts
from ecr_guard.events.inspector import Inspector2FindingEvent, Inspector2ScanEvent
from ecr_guard.events.reports import S3ObjectCreatedEvent, TrivyReportUploadedEvent
from ecr_guard.events.requests import EvaluateIndexRequest

__all__ = [
    "DetailType",
    "EcrActionResult",
    "EcrImageAction",
    "EcrImageActionEvent",
    "EcrImageScanEvent",
    "EcrScanStatus",
    "EvaluateIndexRequest",
    "EventEnvelope",
    "EventSource",
    "GuardEvent",
    "IgnoreReason",
    "IgnoredEvent",
    "ImageEvent",
    "Inspector2FindingEvent",
    "Inspector2ScanEvent",
    "S3ObjectCreatedEvent",
    "SeverityCounts",
    "TrivyReportUploadedEvent",
    "classify",
    "image_ref",
    "scan_marker",
]
