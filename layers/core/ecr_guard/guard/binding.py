"""Binding a Trivy report object in S3 to the ECR image it describes.

A Trivy report does not say which ECR manifest digest it describes (the image is scanned
before the push), so the upload must say it:

- the key layout `trivy/<repository>/<digest>.json`, where the repository may nest
  (`trivy/team/app/sha256:ab…12.json`) and the digest is `sha256:` and 64 hex characters;
- or object metadata `x-amz-meta-ecr-repository` and `x-amz-meta-ecr-digest`, which override
  the key's parts one by one.

A report that cannot be bound is rejected with the reason, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ecr_guard.images import is_canonical_digest

REPORT_PREFIX = "trivy/"
REPORT_SUFFIX = ".json"
REPOSITORY_METADATA = "ecr-repository"
DIGEST_METADATA = "ecr-digest"
# ECR repository names: lower-case components separated by `/`, each `[a-z0-9]` runs joined by
# `.`, `_` or `-`.
_REPOSITORY = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")


class BindingError(ValueError):
    """Why a report object cannot be bound to an image."""


@dataclass(frozen=True)
class ReportBinding:
    repository: str
    digest: str


def bind_report(key: str, metadata: Mapping[str, str]) -> ReportBinding:
    """The repository and digest a report object describes; BindingError says why not."""
    from_key = _from_key(key)
    repository = (metadata.get(REPOSITORY_METADATA) or "").strip() or (
        from_key.repository if from_key else ""
    )
    digest = (metadata.get(DIGEST_METADATA) or "").strip() or (from_key.digest if from_key else "")
    if not repository and not digest:
        raise BindingError(
            f"the key is not {REPORT_PREFIX}<repository>/<digest>{REPORT_SUFFIX} and the object "
            f"has no x-amz-meta-{REPOSITORY_METADATA} / x-amz-meta-{DIGEST_METADATA} metadata"
        )
    if not digest:
        raise BindingError("no image digest: neither the key nor the metadata names one")
    if not is_canonical_digest(digest):
        raise BindingError(f"malformed image digest {digest[:80]!r} (want sha256:<64 hex>)")
    if not repository:
        raise BindingError("no repository: neither the key nor the metadata names one")
    if not _REPOSITORY.fullmatch(repository) or len(repository) > 256:
        raise BindingError(f"malformed repository name {repository[:80]!r}")
    return ReportBinding(repository=repository, digest=digest)


def _from_key(key: str) -> ReportBinding | None:
    if not key.startswith(REPORT_PREFIX) or not key.endswith(REPORT_SUFFIX):
        return None
    inner = key[len(REPORT_PREFIX) : -len(REPORT_SUFFIX)]
    repository, separator, digest = inner.rpartition("/")
    if not separator:
        return ReportBinding(repository="", digest=digest)
    return ReportBinding(repository=repository, digest=digest)
