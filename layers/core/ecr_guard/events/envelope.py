"""The EventBridge envelope and the field types shared by every event the guard handles.

Why not Powertools' `EventBridgeModel`: it parses `time` into a `datetime`, and published AWS
samples carry impossible dates (`2023-02-29`). The guard never computes with the envelope time;
it keys idempotency on it, so the text is kept exactly as sent. The fields and their aliases
are otherwise those of `EventBridgeModel` (`detail-type`, `replay-name`), and `id` is not
validated as a UUID because AWS samples use ids such as `8c9gd6f7-…-EXAMPLE`.

Digests: AWS events are accepted with any `sha256:` digest of 32 to 128 letters and digits,
because the AWS documentation samples carry 60-character, `EXAMPLE` and non-hex digests and
the guard's next ECR call answers with the real digest (or "image not found") anyway; the push
recorder's "Evaluate Index" passes on a push event's digest, so it follows the same rule. The
CI's "Trivy Report Uploaded" binds a report to an image on the uploader's word, so it requires
a canonical digest: `sha256:` and 64 lower-case hex characters.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ecr_guard.images import is_canonical_digest

_ECR_REPOSITORY_ARN_MARK = ":repository/"
_EVENT_DIGEST = re.compile(r"sha256:[0-9A-Za-z]{32,128}")


class EventSource(StrEnum):
    """The `source` of every event the guard receives."""

    ECR = "aws.ecr"
    INSPECTOR = "aws.inspector2"
    S3 = "aws.s3"
    CI = "ecr-guard.ci"
    GUARD = "ecr-guard"


class DetailType(StrEnum):
    """The `detail-type` values the guard handles or deliberately recognises and ignores."""

    ECR_IMAGE_ACTION = "ECR Image Action"
    ECR_IMAGE_SCAN = "ECR Image Scan"
    ECR_REFERRER_ACTION = "ECR Referrer Action"
    INSPECTOR_SCAN = "Inspector2 Scan"
    INSPECTOR_FINDING = "Inspector2 Finding"
    S3_OBJECT_CREATED = "Object Created"
    TRIVY_REPORT_UPLOADED = "Trivy Report Uploaded"
    EVALUATE_INDEX = "Evaluate Index"


def _event_digest(value: str) -> str:
    if _EVENT_DIGEST.fullmatch(value) is None:
        raise ValueError("must be `sha256:` followed by the digest (32 to 128 letters or digits)")
    return value


def _canonical_digest(value: str) -> str:
    if not is_canonical_digest(value):
        raise ValueError("must be `sha256:` followed by 64 lower-case hex characters")
    return value


EventDigest = Annotated[str, AfterValidator(_event_digest)]
"""A digest as AWS events carry it, documentation placeholders included."""

CanonicalDigest = Annotated[str, AfterValidator(_canonical_digest)]
"""A real manifest digest, required where ecr-guard defines the event."""

RepositoryName = Annotated[str, Field(min_length=1, max_length=256)]
"""A plain repository name; it may nest (`team/app`), so it is never split on `/`."""


def repository_from_arn(value: str) -> str:
    """The repository name from `arn:…:ecr:<region>:<account>:repository/<name>`.

    A value that is not an ARN is taken to be the name already. Everything after the first
    `:repository/` is the name, nested parts included.
    """
    if not value.startswith("arn:"):
        return value
    _, mark, name = value.partition(_ECR_REPOSITORY_ARN_MARK)
    if not mark or not name or ":ecr:" not in value:
        raise ValueError("is an ARN but not an ECR repository ARN (`…:repository/<name>`)")
    return name


def kebab_alias(name: str) -> str:
    """ECR and Inspector2 Scan details spell their keys in kebab-case (`image-digest`)."""
    return name.replace("_", "-")


class DetailModel(BaseModel):
    """Base of kebab-case `detail` objects: unknown keys are ignored, AWS adds fields freely."""

    model_config = ConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, alias_generator=kebab_alias
    )


class SeverityCounts(BaseModel):
    """`finding-severity-counts` as sent, for logs only: the guard never decides from them.

    A level without findings may be absent (it counts 0) and the whole object may be missing
    (a FAILED scan). Inspector adds `TOTAL`, which includes levels it does not list, so it is
    kept as reported and never recomputed from the other keys.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    critical: int = Field(default=0, alias="CRITICAL")
    high: int = Field(default=0, alias="HIGH")
    medium: int = Field(default=0, alias="MEDIUM")
    low: int = Field(default=0, alias="LOW")
    informational: int = Field(default=0, alias="INFORMATIONAL")
    undefined: int = Field(default=0, alias="UNDEFINED")
    untriaged: int = Field(default=0, alias="UNTRIAGED")
    total: int | None = Field(default=None, alias="TOTAL", description="Inspector's own total.")

    def for_log(self) -> dict[str, int]:
        """The counts under their AWS names, zero levels included, TOTAL only when reported."""
        return self.model_dump(by_alias=True, exclude_none=True)


class EventEnvelope(BaseModel):
    """The EventBridge envelope: every queue record the guard reads has this shape."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    version: str = "0"
    id: str = Field(min_length=1, description="The event id; the correlation id in logs.")
    source: str
    detail_type: str = Field(alias="detail-type")
    account: str = Field(min_length=1)
    region: str = Field(min_length=1)
    time: str = Field(min_length=1, description="As sent; part of idempotency keys.")
    resources: tuple[str, ...] = ()
    replay_name: str | None = Field(
        default=None, alias="replay-name", description="Set when EventBridge replays an archive."
    )

    @property
    def occurred_at(self) -> datetime | None:
        """The envelope time as a datetime, or None when it is not a real date."""
        try:
            return datetime.fromisoformat(self.time)
        except ValueError:
            return None
