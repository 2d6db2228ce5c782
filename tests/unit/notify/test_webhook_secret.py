"""The webhook secret: a JSON map of teams or channels to https URLs, never echoed in errors."""

from __future__ import annotations

import pytest
from ecr_guard.adapters.secrets import parse_webhooks
from ecr_guard.adapters.webhook import check_webhook_url
from ecr_guard.errors import ConfigError

SECRET_URL = "https://hooks.slack.com/services/T000/B000/secretTOKEN"


def test_keys_are_compared_without_hash_or_case() -> None:
    webhooks = parse_webhooks(
        f'{{"default": "{SECRET_URL}", "#Payments-Alerts": "{SECRET_URL}"}}', origin="arn"
    )

    assert set(webhooks) == {"default", "payments-alerts"}


@pytest.mark.parametrize(
    "text",
    [
        "not json " + SECRET_URL,
        f'["{SECRET_URL}"]',
        "{}",
        '{"default": 42}',
        '{"default": "http://hooks.slack.com/services/T000/B000/secretTOKEN"}',
        '{"default": "https://hooks.slack.com/services/T000/B000/secret TOKEN"}',
    ],
)
def test_an_unusable_secret_is_a_config_error_that_does_not_show_it(text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_webhooks(text, origin="arn:aws:secretsmanager:eu-west-1:1:secret:slack-AbC123")

    assert "secretTOKEN" not in str(raised.value)
    assert str(raised.value).startswith("ECR_GUARD_SLACK_WEBHOOK_SECRET: ")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/services/x", "http://localhost/x", SECRET_URL]
)
def test_https_or_loopback_http_webhooks_are_accepted(url: str) -> None:
    assert check_webhook_url(url, name="default") == url
