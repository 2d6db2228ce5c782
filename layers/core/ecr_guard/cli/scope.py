"""Which image a local report describes, so that the policy is scoped as the registry guard does.

`--repository` and `--tag` name the ECR image a pipeline is about to push; without them the
report's own image (Trivy's RepoTags) is used, then its artifact name when that is an image
reference with a tag or a digest (`team/app:1.2`, `team/app@sha256:…`). A file or folder that
was scanned (`./app`, `image.tar`) names no image: the decision then has none, and only rule
sets matching every repository apply.
"""

from __future__ import annotations

import re

from ecr_guard.errors import InputError
from ecr_guard.findings.model import ScanReport
from ecr_guard.images import ImageRef

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.zst", ".oci", ".docker")


def image_for_report(
    report: ScanReport, *, repository: str | None, tags: tuple[str, ...]
) -> ImageRef | None:
    """The image to evaluate `report` as; InputError when `--tag` is given with no repository."""
    facts = report.image
    derived = _from_artifact_name(facts.artifact_name) if not facts.repository else None
    name = repository or facts.repository or (derived.repository if derived else None)
    if not name:
        if tags:
            raise InputError(
                report.origin,
                "--tag needs a repository, and the report names none: add --repository",
            )
        return None
    known_tags = tags or facts.tags or (derived.tags if derived else ())
    digest = facts.digest or (derived.digest if derived else None)
    return ImageRef(repository=name, tags=known_tags, digest=digest)


def _from_artifact_name(artifact_name: str | None) -> ImageRef | None:
    """`team/app` with its tag or digest from an image reference; None for anything else."""
    reference = (artifact_name or "").strip()
    if not reference or any(char.isspace() for char in reference):
        return None
    if reference.startswith(("/", ".", "~")) or reference.endswith(_ARCHIVE_SUFFIXES):
        return None
    name, _, digest = reference.partition("@")
    if digest and not _DIGEST.match(digest):
        return None
    slash, colon = name.rfind("/"), name.rfind(":")
    tag = name[colon + 1 :] if colon > slash else ""
    name = name[:colon] if colon > slash else name
    if not (tag or digest):
        return None
    registry, _, path = name.partition("/")
    # Docker's rule: a first component with a dot or a port, or localhost, is a registry host.
    if path and ("." in registry or ":" in registry or registry == "localhost"):
        name = path
    if not name:
        return None
    return ImageRef(repository=name, tags=(tag,) if tag else (), digest=digest or None)
