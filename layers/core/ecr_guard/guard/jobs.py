"""One unit of the guard's work: an image to evaluate, where its findings come from, and the
business fact that makes the work unique (for idempotency)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ecr_guard.findings.model import ScanReport
from ecr_guard.guard.state import ImageKey


class JobKind(StrEnum):
    """Where the findings come from."""

    ECR_SCAN = "ecr-scan"
    """ECR basic or enhanced scanning (ECR Image Scan, Inspector2 Scan and Finding)."""
    TRIVY = "trivy"
    """A Trivy report uploaded by CI."""
    INDEX = "evaluate-index"
    """No findings: an index judged from its children's recorded decisions."""


@dataclass(frozen=True)
class ImageJob:
    """Evaluate one image once: `read` gives its report (None for an index request)."""

    key: ImageKey
    kind: JobKind
    marker: str
    event_id: str
    event_tags: tuple[str, ...] = ()
    origin: str | None = None
    read: Callable[[], ScanReport] | None = None

    def fact(self) -> dict[str, Any]:
        """The idempotency payload: account, region, repository, digest and scan marker."""
        return {
            "account": self.key.account,
            "region": self.key.region,
            "repository": self.key.repository,
            "digest": self.key.digest,
            "marker": self.marker,
        }

    def batch_key(self) -> tuple[str, ...]:
        """Jobs with equal keys in one batch are evaluated once (300 Inspector findings for one
        image read its findings once); different sources for one image are not merged."""
        origin = self.origin if self.kind is JobKind.TRIVY else ""
        return (
            self.key.account,
            self.key.region,
            self.key.repository,
            self.key.digest,
            self.kind.value,
            origin or "",
        )
