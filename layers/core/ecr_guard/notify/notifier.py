"""The notifier: one decision from the guard topic, delivered to Slack and, optionally, AWS
Chatbot.

The Slack webhook is chosen from the webhook secret by the route's Slack channel, then the
team, then `default`; a decision for which the secret names none is logged (WARNING "no slack
webhook") and counted (`SlackSkipped`), not an error. A delivery that fails after its bounded
retries raises DeliveryError once both channels were tried, so Lambda retries the invocation
(twice) and then sends the event to the notifier's dead-letter queue. A retry may repeat a
delivery that had worked: a duplicate is better than a loss.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from ecr_guard.errors import AwsError, DeliveryError, EventError
from ecr_guard.guard.notification import NOTIFICATION_TYPE, NotificationV1
from ecr_guard.guard.ports import MetricsPort, PublisherPort
from ecr_guard.guard.subject_line import subject_line_for
from ecr_guard.notify.chatbot import render_chatbot
from ecr_guard.notify.slack import render_slack

logger = logging.getLogger(__name__)

DEFAULT_WEBHOOK = "default"


class WebhookDirectoryPort(Protocol):
    def webhooks(self) -> Mapping[str, str]: ...


class WebhookPort(Protocol):
    def post(self, url: str, payload: Mapping[str, Any], *, name: str) -> None: ...


@dataclass(frozen=True)
class Delivery:
    """What became of one decision."""

    slack: str | None = None
    """The webhook secret's key the message went to; None when Slack was not used."""
    chatbot: bool = False
    ignored: str | None = None


class ChatNotifier:
    """Delivers decisions to the configured chat channels."""

    def __init__(
        self,
        *,
        metrics: MetricsPort,
        webhooks: WebhookDirectoryPort | None = None,
        poster: WebhookPort | None = None,
        chatbot: PublisherPort | None = None,
    ):
        self._metrics = metrics
        self._webhooks = webhooks
        self._poster = poster
        self._chatbot = chatbot

    def deliver(self, message: str) -> Delivery:
        """Deliver one SNS message of the guard topic (its `default` body)."""
        body = parse_decision(message)
        if body is None:
            logger.info("message ignored", extra={"reason": "not-an-ecr-guard-decision"})
            self._metrics.count("MessagesIgnored")
            return Delivery(ignored="not-an-ecr-guard-decision")
        failures: list[str] = []
        slack = self._to_slack(body, failures)
        chatbot = self._to_chatbot(body, failures)
        if failures:
            self._metrics.count("DeliveryFailures", len(failures))
            raise DeliveryError("; ".join(failures))
        return Delivery(slack=slack, chatbot=chatbot)

    def _to_slack(self, body: NotificationV1, failures: list[str]) -> str | None:
        if self._webhooks is None or self._poster is None:
            return None
        found = choose_webhook(self._webhooks.webhooks(), body)
        facts = _facts(body)
        if found is None:
            logger.warning("no slack webhook", extra=facts)
            self._metrics.count("SlackSkipped")
            return None
        name, url = found
        try:
            self._poster.post(url, render_slack(body), name=name)
        except DeliveryError as error:
            logger.error("slack delivery failed", extra={**facts, "error": str(error)})
            failures.append(str(error))
            return None
        logger.info("slack delivered", extra={**facts, "webhook": name})
        self._metrics.count("SlackDelivered")
        return name

    def _to_chatbot(self, body: NotificationV1, failures: list[str]) -> bool:
        if self._chatbot is None:
            return False
        try:
            self._chatbot.publish(
                subject=subject_line_for(body),
                message=json.dumps(render_chatbot(body), ensure_ascii=False),
                attributes={"team": body.team or "unknown", "verdict": body.verdict.value},
                message_structure=None,
            )
        except AwsError as error:
            logger.error("chatbot publish failed", extra={**_facts(body), "error": str(error)})
            failures.append(f"chatbot topic: {error}")
            return False
        self._metrics.count("ChatbotPublished")
        return True


def parse_decision(message: str) -> NotificationV1 | None:
    """The decision in an SNS message; None for messages that are not ecr-guard decisions.

    A message that claims to be one but does not validate is an EventError: retrying will not
    help, and the dead-letter queue keeps it for a person to look at.
    """
    try:
        document = json.loads(message)
    except ValueError:
        return None
    if not isinstance(document, dict) or document.get("type") != NOTIFICATION_TYPE:
        return None
    try:
        return NotificationV1.model_validate(document)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
            for detail in error.errors()[:5]
        )
        raise EventError("SNS message", f"not a valid {NOTIFICATION_TYPE}: {problems}") from None


def choose_webhook(webhooks: Mapping[str, str], body: NotificationV1) -> tuple[str, str] | None:
    """(key, URL) for the decision: the route's Slack channel, the team, else `default`."""
    route = body.route
    candidates = [route.slack_channel if route else None, body.team, DEFAULT_WEBHOOK]
    for candidate in candidates:
        if candidate and (url := webhooks.get(webhook_key(candidate))):
            return webhook_key(candidate), url
    return None


def webhook_key(name: str) -> str:
    """How webhook names compare: `#Payments-Alerts` and `payments-alerts` are the same."""
    return name.strip().lstrip("#").lower()


def _facts(body: NotificationV1) -> dict[str, Any]:
    return {
        "repository": body.image.repository,
        "digest": body.image.digest,
        "verdict": body.verdict.value,
        "team": body.team,
        "event_id": body.event_id,
    }
