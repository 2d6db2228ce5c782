"""Amazon ECR: findings, manifests, tags and storage class of one image.

Every call names the registry (account) and region of the image, as the event gave them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from ecr_guard.adapters.clients import ClientFactory, error_code, error_message
from ecr_guard.errors import (
    AwsError,
    ImageNotFoundError,
    ImmutableTagError,
    ScanNotReadyError,
)
from ecr_guard.guard.ports import (
    MANIFEST_MEDIA_TYPES,
    OCI_MANIFEST,
    ImageDetails,
    Manifest,
    PutOutcome,
    StorageClass,
    StorageClassUnsupportedError,
    TagLookup,
)
from ecr_guard.guard.state import ImageKey

if TYPE_CHECKING:
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecr.type_defs import ImageIdentifierTypeDef

_T = TypeVar("_T")

# BatchDeleteImage and BatchGetImage accept at most 100 image ids per call.
_BATCH_LIMIT = 100
# DescribeImageScanFindings answers 100 findings a page unless asked for more: basic scanning
# serves up to 1,000, enhanced scanning 100 whatever is asked (boto/boto3#3449). Asking for the
# largest page reads a basic scan of 1,200 findings in 2 calls instead of 12.
FINDINGS_PAGE_SIZE = 1000

_NOT_FOUND_CODES = frozenset({"ImageNotFoundException", "RepositoryNotFoundException"})
_GONE_FAILURES = frozenset({"ImageNotFound", "ImageTagDoesNotMatchDigest"})


class EcrAdapter:
    """The ECR calls the guard makes, with AWS error codes turned into ecr_guard.errors."""

    def __init__(self, clients: ClientFactory):
        self._clients = clients
        self._repository_tags: dict[tuple[str, str, str], dict[str, str]] = {}
        self._lifecycle_policies: dict[tuple[str, str, str], dict[str, Any] | None] = {}

    def scan_findings_pages(self, image: ImageKey) -> Iterator[Mapping[str, Any]]:
        """Every page of DescribeImageScanFindings, read to the end.

        An error on any page raises: a cut-short read is never a partial evaluation.
        """
        paginator = self._ecr(image).get_paginator("describe_image_scan_findings")
        pages: Iterable[Mapping[str, Any]] = paginator.paginate(
            registryId=image.account,
            repositoryName=image.repository,
            imageId=_image_id(image),
            PaginationConfig={"PageSize": FINDINGS_PAGE_SIZE},
        )
        iterator = iter(pages)
        while True:
            try:
                page = next(iterator)
            except StopIteration:
                return
            except ClientError as error:
                raise _translate(error, image, "DescribeImageScanFindings") from error
            except BotoCoreError as error:
                raise AwsError(f"{image.display()}: DescribeImageScanFindings: {error}") from error
            yield page

    def get_manifest(self, image: ImageKey) -> Manifest:
        """The image's manifest by digest (one BatchGetImage)."""
        return self.lookup_tags(image, ()).manifest

    def lookup_tags(self, image: ImageKey, tags: Iterable[str]) -> TagLookup:
        """Our manifest and where each of `tags` points now, in one BatchGetImage."""
        asked = list(dict.fromkeys(tags))[: _BATCH_LIMIT - 1]
        ids: list[ImageIdentifierTypeDef] = [_image_id(image)]
        ids.extend({"imageTag": tag} for tag in asked)
        response = self._call(
            image,
            "BatchGetImage",
            partial(
                self._ecr(image).batch_get_image,
                registryId=image.account,
                repositoryName=image.repository,
                imageIds=ids,
                acceptedMediaTypes=list(MANIFEST_MEDIA_TYPES),
            ),
        )
        manifest: Manifest | None = None
        tag_digests: dict[str, str | None] = dict.fromkeys(asked)
        for found in response.get("images", []):
            image_id = found.get("imageId", {})
            digest = image_id.get("imageDigest", "")
            tag = image_id.get("imageTag")
            if tag in tag_digests:
                tag_digests[tag] = digest
            if digest == image.digest and manifest is None and "imageManifest" in found:
                media_type = found.get("imageManifestMediaType") or _declared_media_type(
                    found["imageManifest"]
                )
                manifest = Manifest(image.digest, found["imageManifest"], media_type)
        if manifest is None:
            raise _missing(image, response.get("failures", []))
        return TagLookup(manifest=manifest, tag_digests=tag_digests)

    def describe_image(self, image: ImageKey) -> ImageDetails:
        """Tags, size, media type and storage status now (one DescribeImages by digest)."""
        response = self._call(
            image,
            "DescribeImages",
            partial(
                self._ecr(image).describe_images,
                registryId=image.account,
                repositoryName=image.repository,
                imageIds=[_image_id(image)],
            ),
        )
        for detail in response.get("imageDetails", []):
            if detail.get("imageDigest") == image.digest:
                return ImageDetails(
                    digest=image.digest,
                    tags=tuple(detail.get("imageTags", [])),
                    size_bytes=detail.get("imageSizeInBytes"),
                    media_type=detail.get("imageManifestMediaType"),
                    status=detail.get("imageStatus"),
                )
        raise ImageNotFoundError(f"{image.display()}: image not found")

    def put_tag(self, image: ImageKey, manifest: Manifest, tag: str) -> PutOutcome:
        """Point `tag` at this image's manifest; a tag already there counts as done."""
        try:
            response = self._ecr(image).put_image(
                registryId=image.account,
                repositoryName=image.repository,
                imageManifest=manifest.body,
                imageManifestMediaType=manifest.media_type,
                imageDigest=image.digest,
                imageTag=tag,
            )
        except ClientError as error:
            # PutImage is not idempotent: a repeat answers ImageAlreadyExists.
            if error_code(error) == "ImageAlreadyExistsException":
                return PutOutcome.ALREADY_TAGGED
            raise _translate(error, image, "PutImage", tag=tag) from error
        except BotoCoreError as error:
            raise AwsError(f"{image.display()}: PutImage {tag}: {error}") from error
        written = response.get("image", {}).get("imageId", {}).get("imageDigest")
        if written and written != image.digest:
            raise AwsError(
                f"{image.display()}: PutImage {tag} resolved to {written}, not to this image"
            )
        return PutOutcome.TAGGED

    def remove_tags(self, image: ImageKey, tags: Iterable[str]) -> tuple[str, ...]:
        """Remove `tags` from this image only (digest and tag in each id); returns those removed.

        A tag moved meanwhile to another image, or already gone, is left alone.
        """
        wanted = list(dict.fromkeys(tags))
        removed: list[str] = []
        for start in range(0, len(wanted), _BATCH_LIMIT):
            chunk = wanted[start : start + _BATCH_LIMIT]
            ids: list[ImageIdentifierTypeDef] = [
                {"imageDigest": image.digest, "imageTag": tag} for tag in chunk
            ]
            response = self._call(
                image,
                "BatchDeleteImage",
                partial(
                    self._ecr(image).batch_delete_image,
                    registryId=image.account,
                    repositoryName=image.repository,
                    imageIds=ids,
                ),
            )
            failures = [
                failure
                for failure in response.get("failures", [])
                if failure.get("failureCode") not in _GONE_FAILURES
            ]
            if failures:
                first = failures[0]
                raise AwsError(
                    f"{image.display()}: BatchDeleteImage refused "
                    f"{first.get('imageId', {}).get('imageTag')}: "
                    f"{first.get('failureCode')} {first.get('failureReason', '')}".rstrip()
                )
            removed.extend(
                str(done["imageTag"])
                for done in response.get("imageIds", [])
                if done.get("imageTag") in chunk
            )
        return tuple(dict.fromkeys(removed))

    def set_storage_class(self, image: ImageKey, target: StorageClass) -> str | None:
        """Archive or restore the image; returns the image status ECR reports."""
        response = self._call(
            image,
            "UpdateImageStorageClass",
            partial(
                self._ecr(image).update_image_storage_class,
                registryId=image.account,
                repositoryName=image.repository,
                imageId=_image_id(image),
                targetStorageClass=target.value,
            ),
        )
        status = response.get("imageStatus")
        return str(status) if status else None

    def lifecycle_policy(self, image: ImageKey) -> dict[str, Any] | None:
        """The repository's lifecycle policy document, read once per repository."""
        key = (image.account, image.region, image.repository)
        if key not in self._lifecycle_policies:
            self._lifecycle_policies[key] = self._read_lifecycle_policy(image)
        return self._lifecycle_policies[key]

    def repository_tags(self, image: ImageKey) -> dict[str, str]:
        """The repository's resource tags, read once per repository."""
        key = (image.account, image.region, image.repository)
        if key not in self._repository_tags:
            arn = (
                f"arn:{self._clients.partition(image.region)}:ecr:{image.region}:"
                f"{image.account}:repository/{image.repository}"
            )
            response = self._call(
                image,
                "ListTagsForResource",
                partial(self._ecr(image).list_tags_for_resource, resourceArn=arn),
            )
            self._repository_tags[key] = {
                tag["Key"]: tag["Value"] for tag in response.get("tags", [])
            }
        return self._repository_tags[key]

    def _read_lifecycle_policy(self, image: ImageKey) -> dict[str, Any] | None:
        try:
            response = self._ecr(image).get_lifecycle_policy(
                registryId=image.account, repositoryName=image.repository
            )
        except ClientError as error:
            if error_code(error) == "LifecyclePolicyNotFoundException":
                return None
            raise _translate(error, image, "GetLifecyclePolicy") from error
        except BotoCoreError as error:
            raise AwsError(f"{image.display()}: GetLifecyclePolicy: {error}") from error
        try:
            document = json.loads(response.get("lifecyclePolicyText", "{}"))
        except ValueError:
            return None
        return document if isinstance(document, dict) else None

    def _ecr(self, image: ImageKey) -> ECRClient:
        return self._clients.ecr(image.region)

    def _call(self, image: ImageKey, operation: str, call: Callable[[], _T]) -> _T:
        try:
            return call()
        except ClientError as error:
            raise _translate(error, image, operation) from error
        except BotoCoreError as error:
            raise AwsError(f"{image.display()}: {operation}: {error}") from error


def _image_id(image: ImageKey) -> ImageIdentifierTypeDef:
    return {"imageDigest": image.digest}


def _declared_media_type(body: str) -> str:
    try:
        declared = json.loads(body).get("mediaType")
    except (ValueError, AttributeError):
        declared = None
    return str(declared) if declared else OCI_MANIFEST


def _missing(image: ImageKey, failures: list[Any]) -> AwsError:
    codes = {failure.get("failureCode") for failure in failures}
    if not failures or "ImageNotFound" in codes:
        return ImageNotFoundError(f"{image.display()}: image not found")
    first = failures[0]
    return AwsError(
        f"{image.display()}: BatchGetImage: {first.get('failureCode')} "
        f"{first.get('failureReason', '')}".rstrip()
    )


def _translate(
    error: ClientError, image: ImageKey, operation: str, *, tag: str | None = None
) -> AwsError:
    code = error_code(error)
    where = f"{image.display()}: {operation}" + (f" {tag}" if tag else "")
    if code in _NOT_FOUND_CODES:
        return ImageNotFoundError(f"{where}: {error_message(error)}")
    if code == "ImageStorageClassUpdateNotSupportedException":
        return StorageClassUnsupportedError(f"{where}: {error_message(error)}")
    if code == "ScanNotFoundException":
        return ScanNotReadyError(f"{where}: findings not available yet")
    if code == "ImageTagAlreadyExistsException":
        return ImmutableTagError(
            f"{where}: the repository's tags are immutable; set its tag mutability to "
            f"IMMUTABLE_WITH_EXCLUSION with an exclusion filter for the guard's tags"
        )
    return AwsError(f"{where}: {code or 'error'}: {error_message(error)}")
