"""GuardSettings: every environment variable of the functions, validated once."""

from __future__ import annotations

import pytest
from ecr_guard.errors import ConfigError
from ecr_guard.guard.config import GuardSettings, QuarantineMethod, function_account
from ecr_guard.policy.model import Mode

GUARD_ENV = {
    "AWS_REGION": "eu-west-1",
    "ECR_GUARD_TABLE": "ledger",
    "ECR_GUARD_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:decisions",
    "ECR_GUARD_REPORTS_BUCKET": "reports",
}
DIGEST = "sha256:" + "ab" * 32


def test_defaults_are_the_documented_ones():
    settings = GuardSettings.from_environ(GUARD_ENV, role="guard")

    assert settings.mode is Mode.AUDIT
    assert settings.quarantine_method is QuarantineMethod.RETAG
    assert settings.quarantine_tag_prefix == "quarantine-sha256-"
    assert settings.verified_tag is None
    assert settings.owner_tag == "team"
    assert settings.repository_filter == "*"
    assert settings.policy_parameter is None


def test_values_are_read_in_any_case_and_blank_means_unset():
    environ = GUARD_ENV | {
        "ECR_GUARD_MODE": " Enforce ",
        "ECR_GUARD_QUARANTINE_METHOD": "ARCHIVE",
        "ECR_GUARD_VERIFIED_TAG": "",
        "ECR_GUARD_POLICY_PARAMETER": "  ",
    }

    settings = GuardSettings.from_environ(environ, role="guard")

    assert settings.mode is Mode.ENFORCE
    assert settings.quarantine_method is QuarantineMethod.ARCHIVE
    assert settings.verified_tag is None
    assert settings.policy_parameter is None


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ECR_GUARD_MODE", "strict", "ECR_GUARD_MODE: Input should be 'audit' or 'enforce'"),
        ("ECR_GUARD_QUARANTINE_METHOD", "delete", "ECR_GUARD_QUARANTINE_METHOD:"),
        ("ECR_GUARD_QUARANTINE_TAG_PREFIX", "q:", "ECR_GUARD_QUARANTINE_TAG_PREFIX: must be"),
        ("ECR_GUARD_VERIFIED_TAG", "-verified", "ECR_GUARD_VERIFIED_TAG: must be an image tag"),
        ("ECR_GUARD_TOPIC_ARN", "decisions", "ECR_GUARD_TOPIC_ARN: must be an SNS topic ARN"),
        ("ECR_GUARD_REPOSITORY_FILTER", "Team/App", "ECR_GUARD_REPOSITORY_FILTER: must be"),
    ],
)
def test_bad_value_names_the_variable_and_the_value(variable, value, message):
    with pytest.raises(ConfigError) as raised:
        GuardSettings.from_environ(GUARD_ENV | {variable: value}, role="guard")

    assert message in str(raised.value)
    assert repr(value) in str(raised.value)


def test_verified_tag_may_not_look_like_a_quarantine_tag():
    environ = GUARD_ENV | {"ECR_GUARD_VERIFIED_TAG": "quarantine-sha256-x"}

    with pytest.raises(ConfigError, match="must not start with ECR_GUARD_QUARANTINE_TAG_PREFIX"):
        GuardSettings.from_environ(environ, role="guard")


@pytest.mark.parametrize(
    ("role", "missing"),
    [
        ("guard", "ECR_GUARD_TOPIC_ARN"),
        ("guard", "ECR_GUARD_REPORTS_BUCKET"),
        ("push-recorder", "ECR_GUARD_QUEUE_URL"),
        ("push-recorder", "ECR_GUARD_TABLE"),
    ],
)
def test_each_function_requires_its_own_settings(role, missing):
    environ = GUARD_ENV | {"ECR_GUARD_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/q"}
    del environ[missing]

    with pytest.raises(ConfigError, match=f"{missing}: required setting is not set"):
        GuardSettings.from_environ(environ, role=role)


def test_the_command_line_requires_nothing():
    assert GuardSettings.from_environ({}, role="cli").table_name is None


def test_quarantine_tag_is_the_prefix_and_the_digest_hex():
    settings = GuardSettings.from_environ({"ECR_GUARD_QUARANTINE_TAG_PREFIX": "q-"}, role="cli")

    assert settings.quarantine_tag(DIGEST) == "q-" + "ab" * 32
    assert settings.is_guard_tag("q-123")
    assert not settings.is_guard_tag("1.2.3")


@pytest.mark.parametrize(
    ("pattern", "repository", "guarded"),
    [
        ("*", "docker-hub/library/nginx", True),
        ("team/*", "team/app/worker", True),
        ("team/*", "other/app", False),
        ("team/app?", "team/app2", True),
        ("team.app", "teamxapp", False),
    ],
)
def test_repository_filter_uses_iam_wildcards(pattern, repository, guarded):
    settings = GuardSettings.from_environ({"ECR_GUARD_REPOSITORY_FILTER": pattern}, role="cli")

    assert settings.guards_repository(repository) is guarded


def test_function_account_comes_from_the_function_arn():
    assert function_account("arn:aws:lambda:eu-west-1:210987654321:function:guard") == (
        "210987654321"
    )
    with pytest.raises(ConfigError):
        function_account("not-an-arn")
