"""Where moto's ECR differs from Amazon ECR in ways the guard depends on, made to behave as ECR.

- BatchDeleteImage with an id naming both digest and tag: ECR removes that tag from that image
  only (and deletes the image when it was its last tag); a tag that points at another image is
  refused with ImageTagDoesNotMatchDigest. moto deletes the whole image with all its tags.
- BatchGetImage by tag: ECR answers with the tag that was asked for in `imageId`; moto answers
  with whichever tag the image was last given. By digest, ECR answers with the digest only.

Everything else is moto's own behaviour.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from moto.ecr.models import ECRBackend

_original_delete = ECRBackend.batch_delete_image
_original_get = ECRBackend.batch_get_image


class _DeletedId:
    def __init__(self, digest: str, tag: str):
        self.image_digest = digest
        self.image_tag = tag


def _batch_delete_image(
    self: ECRBackend,
    repository_name: str,
    registry_id: str | None = None,
    image_ids: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    pinned = [ids for ids in image_ids or [] if "imageDigest" in ids and "imageTag" in ids]
    others = [ids for ids in image_ids or [] if ids not in pinned]
    if others or not pinned:
        response = _original_delete(self, repository_name, registry_id, others)
    else:
        response = {"imageIds": [], "failures": []}
    repository = self.repositories[repository_name]
    for wanted in pinned:
        digest, tag = wanted["imageDigest"], wanted["imageTag"]
        image = next((i for i in repository.images if i.get_image_digest() == digest), None)
        if image is None or tag not in image.image_tags:
            elsewhere = any(tag in other.image_tags for other in repository.images)
            response["failures"].append(
                {
                    "imageId": {"imageDigest": digest, "imageTag": tag},
                    "failureCode": "ImageTagDoesNotMatchDigest" if elsewhere else "ImageNotFound",
                    "failureReason": "tag and digest do not match" if elsewhere else "not found",
                }
            )
            continue
        image.remove_tag(tag)
        response["imageIds"].append(_DeletedId(digest, tag))
        if not image.image_tags:
            # ECR deletes an image whose last tag is removed.
            repository.images.remove(image)
    return response


def _batch_get_image(
    self: ECRBackend,
    repository_name: str,
    registry_id: str | None = None,
    image_ids: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    response = _original_get(self, repository_name, registry_id, image_ids)
    repository = self.repositories[repository_name]
    answered = []
    for wanted in image_ids or []:
        for image in repository.images:
            by_digest = image.get_image_digest() == wanted.get("imageDigest")
            if by_digest or wanted.get("imageTag") in image.image_tags:
                shown = copy.copy(image)
                shown.image_tag = wanted.get("imageTag")  # type: ignore[assignment]
                answered.append(shown)
    response["images"] = answered
    return response


@contextmanager
def ecr_as_in_aws() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ECRBackend, "batch_delete_image", _batch_delete_image)
        patch.setattr(ECRBackend, "batch_get_image", _batch_get_image)
        yield
