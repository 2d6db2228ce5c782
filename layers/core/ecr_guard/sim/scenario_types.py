"""The building blocks of scenario files: names, tags and platforms, and the stack parameters."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ecr_guard.guard.config import DEFAULT_QUARANTINE_TAG_PREFIX, QuarantineMethod
from ecr_guard.policy.model import Mode

Handle = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$"),
    Field(description="A name for an image within the scenario: `app-1.4.0`, `hotfix`."),
]
ImageReference = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}(/[a-z0-9]+/[a-z0-9_]+(/v[0-9]+)?)?$"),
    Field(
        description="An image name, or for one platform of a multi-arch image "
        "`<name>/<os>/<architecture>[/<variant>]`, e.g. `web/linux/arm64`."
    ),
]
RepositoryName = Annotated[
    str,
    StringConstraints(
        pattern=r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$",
        max_length=256,
    ),
    Field(description="An ECR repository name; it may nest (`team/app`)."),
]
ImageTag = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$"),
    Field(description="An image tag."),
]
Platform = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+/[a-z0-9_]+(/v[0-9]+)?$"),
    Field(description="`<os>/<architecture>[/<variant>]`, as docker prints it: `linux/arm64`."),
]
FilePath = Annotated[
    str,
    StringConstraints(min_length=1, max_length=1024),
    Field(description="A file, relative to the scenario file."),
]
Note = Annotated[str, StringConstraints(min_length=1, max_length=2000)]

_VERDICT_LIST = r"^(PASS|WARN|FAIL|UNKNOWN)(,(PASS|WARN|FAIL|UNKNOWN))*$"
UNSUPPORTED_IMAGE = (
    "UnsupportedImageError: The operating system and/or package manager are not supported."
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


# ---------------------------------------------------------------- the stack


class TagMutability(StrEnum):
    MUTABLE = "MUTABLE"
    IMMUTABLE = "IMMUTABLE"
    IMMUTABLE_WITH_EXCLUSION = "IMMUTABLE_WITH_EXCLUSION"
    MUTABLE_WITH_EXCLUSION = "MUTABLE_WITH_EXCLUSION"


class StackParameters(Strict):
    """The stack parameters of template.yaml that change what the functions do."""

    mode: Mode = Field(default=Mode.AUDIT, alias="Mode")
    quarantine_method: QuarantineMethod = Field(
        default=QuarantineMethod.RETAG, alias="QuarantineMethod"
    )
    repository_filter: str = Field(default="*", alias="RepositoryFilter", min_length=1)
    verified_tag: str = Field(default="", alias="VerifiedTag")
    quarantine_tag_prefix: str = Field(
        default=DEFAULT_QUARANTINE_TAG_PREFIX, alias="QuarantineTagPrefix", min_length=1
    )
    owner_tag: str = Field(default="team", alias="OwnerTag", min_length=1)
    notify_on: str = Field(
        default="FAIL,WARN,UNKNOWN",
        alias="NotifyOn",
        pattern=_VERDICT_LIST,
        description="Verdicts that notify (comma-separated PASS, WARN, FAIL, UNKNOWN).",
    )


class ParameterChanges(Strict):
    """Stack parameters changed by a `sam deploy` (the others keep their values)."""

    mode: Mode | None = Field(default=None, alias="Mode")
    quarantine_method: QuarantineMethod | None = Field(default=None, alias="QuarantineMethod")
    repository_filter: str | None = Field(default=None, alias="RepositoryFilter", min_length=1)
    verified_tag: str | None = Field(default=None, alias="VerifiedTag")
    quarantine_tag_prefix: str | None = Field(
        default=None, alias="QuarantineTagPrefix", min_length=1
    )
    owner_tag: str | None = Field(default=None, alias="OwnerTag", min_length=1)
    notify_on: str | None = Field(default=None, alias="NotifyOn", pattern=_VERDICT_LIST)

    def applied_to(self, parameters: StackParameters) -> StackParameters:
        changes = self.model_dump(exclude_none=True)
        return parameters.model_copy(update=changes)
