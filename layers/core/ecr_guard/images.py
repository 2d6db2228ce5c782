"""The identity of an image in Amazon ECR.

An image is (account, region, repository, digest). Tags are optional and change over time, so
they travel beside the identity, never inside it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


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
