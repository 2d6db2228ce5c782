"""Putting the notifier together once per cold start: settings, webhook secret, chat channels."""

from __future__ import annotations

from collections.abc import Mapping

from ecr_guard.adapters.clients import ClientFactory
from ecr_guard.adapters.secrets import WebhookSecret
from ecr_guard.adapters.sns import Publisher
from ecr_guard.adapters.webhook import WebhookClient, quiet_transport_logs
from ecr_guard.errors import ConfigError
from ecr_guard.guard.config import GuardSettings, required_setting
from ecr_guard.guard.ports import MetricsPort
from ecr_guard.notify.notifier import ChatNotifier


def build_notifier(
    environ: Mapping[str, str],
    *,
    metrics: MetricsPort,
    clients: ClientFactory | None = None,
    poster: WebhookClient | None = None,
) -> ChatNotifier:
    """The notifier for the environment; ConfigError when it has nowhere to deliver."""
    settings = GuardSettings.from_environ(environ, role="slack-notifier")
    if not settings.slack_webhook_secret and not settings.chatbot_topic_arn:
        raise ConfigError(
            "ECR_GUARD_SLACK_WEBHOOK_SECRET, ECR_GUARD_CHATBOT_TOPIC_ARN: the notifier needs "
            "at least one of them"
        )
    clients = clients or ClientFactory()
    region = required_setting(settings.region, "AWS_REGION")
    quiet_transport_logs()
    webhooks = (
        WebhookSecret(clients, secret_arn=settings.slack_webhook_secret, region=region)
        if settings.slack_webhook_secret
        else None
    )
    chatbot = (
        Publisher(clients, topic_arn=settings.chatbot_topic_arn)
        if settings.chatbot_topic_arn
        else None
    )
    return ChatNotifier(
        metrics=metrics,
        webhooks=webhooks,
        poster=(poster or WebhookClient()) if webhooks else None,
        chatbot=chatbot,
    )
