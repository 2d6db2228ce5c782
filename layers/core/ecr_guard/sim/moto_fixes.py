"""Where moto's ECR differs from Amazon ECR in ways the guard depends on, made to behave as ECR.

- BatchDeleteImage with an id naming both digest and tag: ECR removes that tag from that image
  only (and deletes the image when it was its last tag); a tag that points at another image is
  refused with ImageTagDoesNotMatchDigest. moto deletes the whole image with all its tags.
- BatchGetImage by tag: ECR answers with the tag that was asked for in `imageId`; moto answers
  with whichever tag the image was last given. By digest, ECR answers with the digest only.
- UpdateImageStorageClass (the `archive` quarantine method) and the `imageStatus` of
  DescribeImages: moto has neither. Here an image is ACTIVE until archived, ARCHIVED after, and
  a restore to STANDARD answers ACTIVATING and completes at once (ECR takes minutes).

Everything else is moto's own behaviour. The patches apply to moto's backends, so they hold for
moto in-process and for a moto server running in the same process alike.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.core.responses import ActionResult
from moto.ecr.models import ECRBackend, Image
from moto.ecr.responses import ECRResponse

ACTIVE = "ACTIVE"
ARCHIVED = "ARCHIVED"
ACTIVATING = "ACTIVATING"
_STATUS_ATTRIBUTE = "_ecr_guard_status"

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


def _image_status(image: Image) -> str:
    return str(getattr(image, _STATUS_ATTRIBUTE, ACTIVE))


def _update_image_storage_class(
    self: ECRBackend,
    repository_name: str,
    registry_id: str | None,
    image_id: dict[str, str],
    target: str,
) -> str:
    repository = self._get_repository(repository_name, registry_id)
    image = repository._get_image(image_id.get("imageTag"), image_id.get("imageDigest"))
    if target == "ARCHIVE":
        setattr(image, _STATUS_ATTRIBUTE, ARCHIVED)
        return ARCHIVED
    setattr(image, _STATUS_ATTRIBUTE, ACTIVE)
    return ACTIVATING


def _update_image_storage_class_response(self: ECRResponse) -> ActionResult:
    repository_name = self._get_param("repositoryName")
    registry_id = self._get_param("registryId")
    image_id = self._get_param("imageId")
    status = _update_image_storage_class(
        self.ecr_backend,
        repository_name,
        registry_id,
        image_id,
        self._get_param("targetStorageClass"),
    )
    repository = self.ecr_backend._get_repository(repository_name, registry_id)
    image = repository._get_image(image_id.get("imageTag"), image_id.get("imageDigest"))
    return ActionResult(
        {
            "registryId": repository.registry_id,
            "repositoryName": repository_name,
            "imageId": {"imageDigest": image.get_image_digest()},
            "imageStatus": status,
        }
    )


@contextmanager
def ecr_as_in_aws() -> Iterator[None]:
    """moto's ECR behaving as ECR does where the guard depends on it, for the duration."""
    with ExitStack() as patches:
        patches.enter_context(
            mock.patch.object(ECRBackend, "batch_delete_image", _batch_delete_image)
        )
        patches.enter_context(mock.patch.object(ECRBackend, "batch_get_image", _batch_get_image))
        patches.enter_context(
            mock.patch.object(
                ECRResponse,
                "update_image_storage_class",
                _update_image_storage_class_response,
                create=True,
            )
        )
        patches.enter_context(
            mock.patch.object(Image, "image_status", property(_image_status), create=True)
        )
        yield
