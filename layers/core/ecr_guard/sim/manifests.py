"""The images of a scenario as a registry holds them: real manifest documents whose digest is the
sha256 of their bytes, as ECR computes it.

Layer and config digests are derived from the scenario and the image name, so a scenario gives
the same digests on every run; the config's `size` is the image size (moto reports it as the
image's size, as ECR reports the compressed layers' total).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ecr_guard.guard.ports import DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST
from ecr_guard.sim.scenario import FindingsSpec, ImageSpec, ManifestKind, Scenario

_CONFIG_MEDIA_TYPES = {
    DOCKER_MANIFEST: "application/vnd.docker.container.image.v1+json",
    OCI_MANIFEST: "application/vnd.oci.image.config.v1+json",
}
_LAYER_MEDIA_TYPES = {
    DOCKER_MANIFEST: "application/vnd.docker.image.rootfs.diff.tar.gzip",
    OCI_MANIFEST: "application/vnd.oci.image.layer.v1.tar+gzip",
}
_CONFIG_BYTES = 1_469


@dataclass(frozen=True)
class BuiltImage:
    """One manifest: an image (a platform of a multi-arch image, or a single image) or an
    index. `reference` is how the scenario names it: `app`, `web`, `web/linux/arm64`."""

    reference: str
    handle: str
    repository: str
    body: str
    media_type: str
    tags: tuple[str, ...] = ()
    platform: str | None = None
    findings: FindingsSpec = field(default_factory=FindingsSpec)
    children: tuple[BuiltImage, ...] = ()

    @property
    def digest(self) -> str:
        return digest_of(self.body)

    @property
    def is_index(self) -> bool:
        return self.media_type in (OCI_INDEX, DOCKER_MANIFEST_LIST)

    def leaves(self) -> tuple[BuiltImage, ...]:
        """The images that get scanned: the platforms of an index, or the image itself."""
        return self.children if self.is_index else (self,)


def digest_of(body: str) -> str:
    return "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def build_images(scenario: Scenario, key: str) -> dict[str, BuiltImage]:
    """Every image of the scenario by reference (platform images included); `key` makes the
    digests of one scenario distinct from another's."""
    built: dict[str, BuiltImage] = {}
    for handle, spec in scenario.images.items():
        image = _build(handle, spec, key)
        built[handle] = image
        for child in image.children:
            built[child.reference] = child
    return built


def _build(handle: str, spec: ImageSpec, key: str) -> BuiltImage:
    oci = spec.manifest is ManifestKind.OCI
    if spec.platforms is None:
        media_type = OCI_MANIFEST if oci else DOCKER_MANIFEST
        size = int(spec.size) if spec.size is not None else 30_000_000
        return BuiltImage(
            reference=handle,
            handle=handle,
            repository=spec.repository,
            body=_image_manifest(f"{key}/{handle}", media_type, size),
            media_type=media_type,
            tags=tuple(spec.tags),
            findings=spec.findings or FindingsSpec(),
        )

    child_type = OCI_MANIFEST if oci else DOCKER_MANIFEST
    children = tuple(
        BuiltImage(
            reference=f"{handle}/{platform}",
            handle=handle,
            repository=spec.repository,
            body=_image_manifest(f"{key}/{handle}/{platform}", child_type, int(platform_spec.size)),
            media_type=child_type,
            platform=platform,
            findings=platform_spec.findings,
        )
        for platform, platform_spec in spec.platforms.items()
    )
    index_type = OCI_INDEX if oci else DOCKER_MANIFEST_LIST
    return BuiltImage(
        reference=handle,
        handle=handle,
        repository=spec.repository,
        body=_index_manifest(children, index_type),
        media_type=index_type,
        tags=tuple(spec.tags),
        children=children,
    )


def _sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _image_manifest(seed: str, media_type: str, size: int) -> str:
    layer_size = max(size - _CONFIG_BYTES, 1)
    document = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {
            "mediaType": _CONFIG_MEDIA_TYPES[media_type],
            "digest": _sha256(f"{seed}/config"),
            # moto reports this as the image size.
            "size": size,
        },
        "layers": [
            {
                "mediaType": _LAYER_MEDIA_TYPES[media_type],
                "digest": _sha256(f"{seed}/layer"),
                "size": layer_size,
            }
        ],
    }
    return json.dumps(document, indent=3)


def _index_manifest(children: tuple[BuiltImage, ...], media_type: str) -> str:
    manifests: list[dict[str, Any]] = []
    for child in children:
        parts = (child.platform or "").split("/")
        platform: dict[str, str] = {"architecture": parts[1], "os": parts[0]}
        if len(parts) > 2:
            platform["variant"] = parts[2]
        manifests.append(
            {
                "mediaType": child.media_type,
                "digest": child.digest,
                "size": len(child.body.encode()),
                "platform": platform,
            }
        )
    return json.dumps({"schemaVersion": 2, "mediaType": media_type, "manifests": manifests})
