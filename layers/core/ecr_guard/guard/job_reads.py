"""ECR as one job sees it: an image is described once per job unless the job changed it.

A policy with an image size limit reads DescribeImages for the size, and a quarantine of the same
image moments later needs its current tags: one answer serves both. Any write to an image
forgets what was read of it, and every job starts with nothing remembered, so a stale answer
never outlives the job that read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ecr_guard.guard.ports import (
    EcrPort,
    ImageDetails,
    Manifest,
    PutOutcome,
    StorageClass,
    TagLookup,
)
from ecr_guard.guard.state import ImageKey


class JobScopedEcr:
    """An EcrPort that remembers DescribeImages answers until the job ends or writes."""

    def __init__(self, ecr: EcrPort):
        self._ecr = ecr
        self._described: dict[ImageKey, ImageDetails] = {}

    def start_job(self) -> None:
        self._described.clear()

    def describe_image(self, image: ImageKey) -> ImageDetails:
        if image not in self._described:
            self._described[image] = self._ecr.describe_image(image)
        return self._described[image]

    def put_tag(self, image: ImageKey, manifest: Manifest, tag: str) -> PutOutcome:
        self._described.pop(image, None)
        return self._ecr.put_tag(image, manifest, tag)

    def remove_tags(self, image: ImageKey, tags: Iterable[str]) -> tuple[str, ...]:
        self._described.pop(image, None)
        return self._ecr.remove_tags(image, tags)

    def set_storage_class(self, image: ImageKey, target: StorageClass) -> str | None:
        self._described.pop(image, None)
        return self._ecr.set_storage_class(image, target)

    def scan_findings_pages(self, image: ImageKey) -> Iterator[Mapping[str, Any]]:
        return self._ecr.scan_findings_pages(image)

    def get_manifest(self, image: ImageKey) -> Manifest:
        return self._ecr.get_manifest(image)

    def lookup_tags(self, image: ImageKey, tags: Iterable[str]) -> TagLookup:
        return self._ecr.lookup_tags(image, tags)

    def lifecycle_policy(self, image: ImageKey) -> dict[str, Any] | None:
        return self._ecr.lifecycle_policy(image)

    def repository_tags(self, image: ImageKey) -> dict[str, str]:
        return self._ecr.repository_tags(image)
