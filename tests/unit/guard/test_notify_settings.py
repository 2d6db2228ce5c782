"""The notification settings: ECR_GUARD_NOTIFY_ON, the webhook secret and the Chatbot topic."""

from __future__ import annotations

import pytest
from ecr_guard.errors import ConfigError
from ecr_guard.guard.config import DEFAULT_NOTIFY_ON, GuardSettings
from ecr_guard.policy.decision import Verdict

SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-guard/slack-AbC123"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("FAIL,WARN", {Verdict.FAIL, Verdict.WARN}),
        (" fail , pass ", {Verdict.FAIL, Verdict.PASS}),
        ("", DEFAULT_NOTIFY_ON),
    ],
)
def test_notify_on_is_a_list_of_verdicts(value: str, expected: set[Verdict]) -> None:
    settings = GuardSettings.from_environ({"ECR_GUARD_NOTIFY_ON": value}, role="cli")

    assert settings.notify_on == expected


def test_notify_on_defaults_to_everything_but_pass() -> None:
    assert GuardSettings.from_environ({}, role="cli").notify_on == {
        Verdict.FAIL,
        Verdict.WARN,
        Verdict.UNKNOWN,
    }


def test_an_unknown_verdict_fails_the_cold_start_naming_the_variable() -> None:
    with pytest.raises(ConfigError) as raised:
        GuardSettings.from_environ({"ECR_GUARD_NOTIFY_ON": "FAIL,BLOCKED"}, role="cli")

    assert str(raised.value).startswith("ECR_GUARD_NOTIFY_ON: unknown verdict BLOCKED")


@pytest.mark.parametrize(
    "value",
    [
        "ecr-guard/slack",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-guard/slack",
        "https://hooks.slack.com/services/T/B/X",
    ],
)
def test_the_webhook_secret_must_be_a_complete_secret_arn(value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        GuardSettings.from_environ({"ECR_GUARD_SLACK_WEBHOOK_SECRET": value}, role="cli")

    assert str(raised.value).startswith("ECR_GUARD_SLACK_WEBHOOK_SECRET: must be the complete")


def test_the_notifier_takes_a_secret_and_a_chatbot_topic() -> None:
    settings = GuardSettings.from_environ(
        {
            "AWS_REGION": "eu-west-1",
            "ECR_GUARD_SLACK_WEBHOOK_SECRET": SECRET,
            "ECR_GUARD_CHATBOT_TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:chatbot",
        },
        role="slack-notifier",
    )

    assert settings.slack_webhook_secret == SECRET
    assert settings.chatbot_topic_arn == "arn:aws:sns:eu-west-1:123456789012:chatbot"


def test_the_notifier_needs_its_region() -> None:
    with pytest.raises(ConfigError, match="AWS_REGION"):
        GuardSettings.from_environ({}, role="slack-notifier")
