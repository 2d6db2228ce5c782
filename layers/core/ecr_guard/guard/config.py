"""Every setting of the guard's functions, read from the environment once and validated.

A bad setting fails the cold start with a ConfigError naming the environment variable, never
the first event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ecr_guard.errors import ConfigError
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode

DEFAULT_QUARANTINE_TAG_PREFIX = "quarantine-sha256-"
# An ECR tag: letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 300.
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,299}$")
_TAG_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
# Repository names, with the IAM wildcards `*` and `?` the template puts in resource ARNs.
_REPOSITORY_PATTERN = re.compile(r"^[a-z0-9._/*?-]{1,256}$")
_SHA256_HEX_LENGTH = 64

DEFAULT_NOTIFY_ON = frozenset({Verdict.FAIL, Verdict.WARN, Verdict.UNKNOWN})
# A complete secret ARN ends with `-` and six characters Secrets Manager adds to the name.
_SECRET_ARN = re.compile(r"arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:[\w/+=.@-]+-\w{6}")

Role = Literal["guard", "push-recorder", "slack-notifier", "cli"]


class QuarantineMethod(StrEnum):
    """`retag`: move the deployable tags aside; `archive`: ECR archival storage class."""

    RETAG = "retag"
    ARCHIVE = "archive"


def _blank_is_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


class GuardSettings(BaseModel):
    """The functions' environment. Field aliases are the variable names."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    mode: Mode = Field(default=Mode.AUDIT, alias="ECR_GUARD_MODE")
    quarantine_method: QuarantineMethod = Field(
        default=QuarantineMethod.RETAG, alias="ECR_GUARD_QUARANTINE_METHOD"
    )
    quarantine_tag_prefix: str = Field(
        default=DEFAULT_QUARANTINE_TAG_PREFIX, alias="ECR_GUARD_QUARANTINE_TAG_PREFIX"
    )
    verified_tag: str | None = Field(default=None, alias="ECR_GUARD_VERIFIED_TAG")
    table_name: str | None = Field(default=None, alias="ECR_GUARD_TABLE")
    topic_arn: str | None = Field(default=None, alias="ECR_GUARD_TOPIC_ARN")
    queue_url: str | None = Field(default=None, alias="ECR_GUARD_QUEUE_URL")
    reports_bucket: str | None = Field(default=None, alias="ECR_GUARD_REPORTS_BUCKET")
    policy_parameter: str | None = Field(default=None, alias="ECR_GUARD_POLICY_PARAMETER")
    policy_file: str | None = Field(default=None, alias="ECR_GUARD_POLICY_FILE")
    owner_tag: str = Field(default="team", alias="ECR_GUARD_OWNER_TAG")
    repository_filter: Annotated[str, Field(min_length=1)] = Field(
        default="*", alias="ECR_GUARD_REPOSITORY_FILTER"
    )
    notify_on: frozenset[Verdict] = Field(default=DEFAULT_NOTIFY_ON, alias="ECR_GUARD_NOTIFY_ON")
    slack_webhook_secret: str | None = Field(default=None, alias="ECR_GUARD_SLACK_WEBHOOK_SECRET")
    chatbot_topic_arn: str | None = Field(default=None, alias="ECR_GUARD_CHATBOT_TOPIC_ARN")
    region: str | None = Field(default=None, alias="AWS_REGION")
    function_name: str | None = Field(default=None, alias="AWS_LAMBDA_FUNCTION_NAME")

    @field_validator("mode", "quarantine_method", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator(
        "verified_tag",
        "table_name",
        "topic_arn",
        "queue_url",
        "reports_bucket",
        "policy_parameter",
        "policy_file",
        "slack_webhook_secret",
        "chatbot_topic_arn",
        "region",
        "function_name",
        mode="before",
    )
    @classmethod
    def _optional(cls, value: object) -> object:
        return _blank_is_none(value)

    @field_validator("quarantine_tag_prefix", "owner_tag", "repository_filter", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("quarantine_tag_prefix")
    @classmethod
    def _valid_prefix(cls, value: str) -> str:
        if not _TAG_PREFIX.fullmatch(value):
            raise ValueError(
                "must be the start of an image tag: letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        return value

    @field_validator("verified_tag")
    @classmethod
    def _valid_tag(cls, value: str | None) -> str | None:
        if value is not None and not _TAG.fullmatch(value):
            raise ValueError(
                "must be an image tag: letters, digits, '.', '_' or '-', starting with a "
                "letter or digit"
            )
        return value

    @field_validator("repository_filter")
    @classmethod
    def _valid_filter(cls, value: str) -> str:
        if not _REPOSITORY_PATTERN.fullmatch(value):
            raise ValueError("must be a repository name pattern (lower case, '/', '*', '?')")
        return value

    @field_validator("topic_arn", "chatbot_topic_arn")
    @classmethod
    def _valid_topic(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"arn:[\w-]+:sns:[\w-]+:\d{12}:[\w.-]+", value):
            raise ValueError("must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)")
        return value

    @field_validator("slack_webhook_secret")
    @classmethod
    def _valid_secret(cls, value: str | None) -> str | None:
        if value is not None and not _SECRET_ARN.fullmatch(value):
            raise ValueError(
                "must be the complete ARN of a Secrets Manager secret, as create-secret prints "
                "it (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)"
            )
        return value

    @field_validator("notify_on", mode="before")
    @classmethod
    def _verdict_list(cls, value: object) -> object:
        """`FAIL,WARN` in any case; blank means the default."""
        if not isinstance(value, str):
            return value
        names = [name.strip().upper() for name in value.split(",") if name.strip()]
        if not names:
            return DEFAULT_NOTIFY_ON
        unknown = sorted(set(names) - set(Verdict.__members__))
        if unknown:
            raise ValueError(
                f"unknown verdict {', '.join(unknown)}: a comma-separated list of "
                "PASS, WARN, FAIL, UNKNOWN"
            )
        return frozenset(Verdict(name) for name in names)

    def notifies(self, verdict: Verdict, outcome: Verdict) -> bool:
        """Whether a decision with this verdict and outcome is published (ECR_GUARD_NOTIFY_ON):
        either one listed is enough, so UNKNOWN handled as FAIL notifies under `FAIL` alone."""
        return verdict in self.notify_on or outcome in self.notify_on

    @model_validator(mode="after")
    def _verified_tag_is_not_a_quarantine_tag(self) -> GuardSettings:
        if self.verified_tag and self.verified_tag.startswith(self.quarantine_tag_prefix):
            raise ValueError(
                "ECR_GUARD_VERIFIED_TAG must not start with ECR_GUARD_QUARANTINE_TAG_PREFIX"
            )
        return self

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], *, role: Role) -> GuardSettings:
        """Read and validate the settings `role` needs; ConfigError names the variable."""
        names = {field.alias for field in cls.model_fields.values() if field.alias}
        try:
            settings = cls.model_validate({k: v for k, v in environ.items() if k in names})
        except ValidationError as error:
            raise ConfigError(_describe(error)) from error
        settings.require(*_REQUIRED[role])
        return settings

    def require(self, *variables: str) -> None:
        """ConfigError unless every named variable has a value."""
        by_alias = {field.alias: name for name, field in type(self).model_fields.items()}
        missing = [name for name in variables if getattr(self, by_alias[name]) is None]
        if missing:
            raise ConfigError(f"{', '.join(missing)}: required setting is not set")

    def quarantine_tag(self, digest: str) -> str:
        """`<prefix><hex of the digest>`: one tag per digest, so it never has to move."""
        return f"{self.quarantine_tag_prefix}{digest.partition(':')[2] or digest}"

    def is_guard_tag(self, tag: str) -> bool:
        """True for the guard's own quarantine tags, which are never deployable tags."""
        return tag.startswith(self.quarantine_tag_prefix)

    def guards_repository(self, repository: str) -> bool:
        """True when `repository` matches ECR_GUARD_REPOSITORY_FILTER (IAM-style `*`, `?`)."""
        return _filter_regex(self.repository_filter).fullmatch(repository) is not None


def required_setting(value: str | None, variable: str) -> str:
    """`value`, or ConfigError naming `variable` when it is empty."""
    if not value:
        raise ConfigError(f"{variable}: required setting is not set")
    return value


def function_account(invoked_function_arn: str) -> str:
    """The function's own account, from its ARN (no STS call)."""
    parts = invoked_function_arn.split(":")
    if len(parts) < 5 or not parts[4]:
        raise ConfigError(f"cannot tell the account from {invoked_function_arn!r}")
    return parts[4]


_REQUIRED: dict[Role, tuple[str, ...]] = {
    "guard": ("ECR_GUARD_TABLE", "ECR_GUARD_TOPIC_ARN", "ECR_GUARD_REPORTS_BUCKET", "AWS_REGION"),
    "push-recorder": ("ECR_GUARD_TABLE", "ECR_GUARD_QUEUE_URL", "AWS_REGION"),
    "slack-notifier": ("AWS_REGION",),
    "cli": (),
}


def _filter_regex(pattern: str) -> re.Pattern[str]:
    translated = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.compile(translated)


def _describe(error: ValidationError) -> str:
    aliases = {name: field.alias for name, field in GuardSettings.model_fields.items()}
    problems = []
    for detail in error.errors():
        location = detail.get("loc", ())
        field = str(location[0]) if location else ""
        variable = aliases.get(field) or field
        given = detail.get("input")
        shown = f" (got {given!r})" if variable and isinstance(given, str) else ""
        message = str(detail.get("msg", "invalid")).removeprefix("Value error, ")
        problems.append(f"{variable}: {message}{shown}" if variable else message)
    return "; ".join(problems)


__all__ = [
    "DEFAULT_NOTIFY_ON",
    "DEFAULT_QUARANTINE_TAG_PREFIX",
    "GuardSettings",
    "QuarantineMethod",
    "Role",
    "function_account",
    "required_setting",
]
