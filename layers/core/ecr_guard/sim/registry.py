"""ECR in the emulator as a team uses it: repositories, pushes, what the scanners found, and what
an image looks like now (tags, storage class).

Scan results are given to moto through its own API for configuring DescribeImageScanFindings,
then bound to the image's digest; a later scan of the same image replaces the answer.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ecr_guard.sim.manifests import BuiltImage
from ecr_guard.sim.moto_fixes import ARCHIVED
from ecr_guard.sim.scenario import RepositorySpec, TagMutability


@dataclass(frozen=True)
class ImageView:
    """An image as ECR shows it now."""

    repository: str
    digest: str
    tags: tuple[str, ...]
    storage_class: str


class Registry:
    """ECR in one region of the emulator's account."""

    def __init__(self, *, region: str, account: str):
        import boto3  # noqa: PLC0415 (the simulator's dependency, loaded when used)

        self.region = region
        self.account = account
        self.client: Any = boto3.client("ecr", region_name=region)

    def create_all(self, repositories: Mapping[str, RepositorySpec]) -> None:
        for name, spec in repositories.items():
            self.create_repository(name, spec)

    def create_repository(self, name: str, spec: RepositorySpec) -> None:
        arguments: dict[str, Any] = {
            "repositoryName": name,
            "imageTagMutability": spec.tag_mutability.value,
            "tags": [{"Key": key, "Value": value} for key, value in spec.tags.items()],
        }
        if spec.tag_mutability in (
            TagMutability.IMMUTABLE_WITH_EXCLUSION,
            TagMutability.MUTABLE_WITH_EXCLUSION,
        ):
            arguments["imageTagMutabilityExclusionFilters"] = [
                {"filterType": "WILDCARD", "filter": pattern}
                for pattern in spec.mutability_exclusions
            ]
        self.client.create_repository(**arguments)
        if spec.lifecycle_policy is not None:
            self.client.put_lifecycle_policy(
                repositoryName=name, lifecyclePolicyText=json.dumps(spec.lifecycle_policy)
            )

    def put(self, image: BuiltImage, tag: str | None) -> bool:
        """PutImage as `docker push` does it; False when the registry had it already."""
        arguments: dict[str, Any] = {
            "repositoryName": image.repository,
            "imageManifest": image.body,
            "imageManifestMediaType": image.media_type,
            "imageDigest": image.digest,
        }
        if tag:
            arguments["imageTag"] = tag
        try:
            self.client.put_image(**arguments)
        except self.client.exceptions.ImageAlreadyExistsException:
            return False
        return True

    def seed_scan(self, image: BuiltImage, response: dict[str, Any]) -> None:
        """What DescribeImageScanFindings answers for `image` from now on."""
        from moto.ecr.models import ecr_backends  # noqa: PLC0415
        from moto.moto_api._internal.models import moto_api_backend  # noqa: PLC0415

        seeded = copy.deepcopy(response)
        seeded["repositoryName"] = image.repository
        seeded["registryId"] = self.account
        seeded["imageId"] = {"imageDigest": image.digest}
        backend = ecr_backends[self.account][self.region]
        found = backend.repositories[image.repository]._get_image(None, image.digest)
        # moto answers only for images it has scanned, and keeps its first answer per image.
        found.last_scan = datetime.now(UTC)
        found.scan_finding_results.clear()
        found.scan_finding_results_queue.clear()
        moto_api_backend.set_ecr_scan_finding_result(seeded, self.account, self.region)
        # moto hands a result without a tag to the first image it is asked about: ask about
        # this one now, by digest, as the guard will.
        self.client.describe_image_scan_findings(
            repositoryName=image.repository, imageId={"imageDigest": image.digest}
        )

    def images(self, repository: str) -> list[ImageView]:
        views = []
        paginator = self.client.get_paginator("describe_images")
        for page in paginator.paginate(repositoryName=repository):
            for detail in page.get("imageDetails", []):
                status = detail.get("imageStatus")
                views.append(
                    ImageView(
                        repository=repository,
                        digest=detail["imageDigest"],
                        tags=tuple(sorted(detail.get("imageTags", []))),
                        storage_class="ARCHIVE" if status == ARCHIVED else "STANDARD",
                    )
                )
        return views

    def current_tags(self, image: BuiltImage) -> tuple[str, ...]:
        for view in self.images(image.repository):
            if view.digest == image.digest:
                return view.tags
        return ()
