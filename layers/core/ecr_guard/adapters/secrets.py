"""AWS Secrets Manager: the chat webhooks, through Powertools Parameters.

The secret is a JSON object from a key to an incoming webhook URL:
`{"default": "https://hooks.slack.com/services/…", "payments": "…", "#payments-alerts": "…"}`.
Keys are teams or Slack channels (a leading `#` and case do not matter). It is read on first use
and cached five minutes, so a rotated URL is picked up without a redeploy. Neither the secret's
value nor any URL in it ever reaches a log line or an error message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from ecr_guard.adapters.clients import ClientFactory
from ecr_guard.adapters.webhook import check_webhook_url
from ecr_guard.errors import ConfigError
from ecr_guard.notify.notifier import webhook_key

SECRET_VARIABLE = "ECR_GUARD_SLACK_WEBHOOK_SECRET"
CACHE_SECONDS = 300


class WebhookSecret:
    """The webhook map held in one secret."""

    def __init__(self, clients: ClientFactory, *, secret_arn: str, region: str):
        self._provider = SecretsProvider(boto3_client=clients.secretsmanager(region))
        self._secret_arn = secret_arn

    def webhooks(self) -> Mapping[str, str]:
        """Key → URL; ConfigError (naming the secret, never its value) when unusable."""
        try:
            value = self._provider.get(self._secret_arn, max_age=CACHE_SECONDS)
        except GetParameterError as error:
            raise ConfigError(
                f"{SECRET_VARIABLE}: cannot read {self._secret_arn}: {error}"
            ) from error
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        return parse_webhooks(str(value), origin=self._secret_arn)


def parse_webhooks(text: str, *, origin: str) -> dict[str, str]:
    """The JSON map of a webhook secret, keys normalised, every URL checked."""
    try:
        document = json.loads(text)
    except ValueError:
        raise ConfigError(
            f"{SECRET_VARIABLE}: {origin} is not JSON; expected "
            '{"default": "https://hooks.slack.com/…", "<team or channel>": "…"}'
        ) from None
    if not isinstance(document, dict) or not document:
        raise ConfigError(f"{SECRET_VARIABLE}: {origin} must be a non-empty JSON object")
    webhooks: dict[str, str] = {}
    for name, url in document.items():
        if not isinstance(url, str):
            raise ConfigError(f"{SECRET_VARIABLE}: {origin}: {name!r} must be a URL string")
        try:
            webhooks[webhook_key(str(name))] = check_webhook_url(url, name=str(name))
        except ConfigError as error:
            raise ConfigError(f"{SECRET_VARIABLE}: {origin}: {error}") from None
    return webhooks
