"""The identity of an image in Amazon ECR.

An image is (account, region, repository, digest). Tags are optional and change over time, so
they travel beside the identity, never inside it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

CANONICAL_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
"""A manifest digest as ECR computes it: `sha256:` and 64 lower-case hex characters."""


def is_canonical_digest(value: str) -> bool:
    """True for a real ECR manifest digest; False for placeholders such as the AWS doc samples'."""
    return CANONICAL_DIGEST.fullmatch(value) is not None


def short_digest(digest: str, length: int = 12) -> str:
    """`sha256:0123456789ab`: the algorithm and the first `length` characters, for display."""
    algorithm, separator, value = digest.partition(":")
    if not separator:
        return digest[:length]
    return f"{algorithm}:{value[:length]}"


class ImageRef(BaseModel):
    """One image: where it lives and its manifest digest, with the tags known at the time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    repository: str = Field(min_length=1)
    digest: str | None = None
    tags: tuple[str, ...] = ()
    account: str | None = None
    region: str | None = None

    @property
    def tag(self) -> str | None:
        """The first known tag, for messages; None for an untagged image."""
        return self.tags[0] if self.tags else None

    def display(self) -> str:
        """`repo:tag` when tagged, `repo@sha256:…` otherwise; never `repo:None`."""
        if self.tags:
            return f"{self.repository}:{self.tags[0]}"
        if self.digest:
            return f"{self.repository}@{self.digest}"
        return self.repository
