"""The notifier with in-memory channels: which webhook, what is ignored, what fails."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ecr_guard.errors import AwsError, DeliveryError, EventError
from ecr_guard.guard.messages import build_notification
from ecr_guard.guard.notification import NotificationV1, NotifiedRoute, RouteSource
from ecr_guard.notify.notifier import ChatNotifier, choose_webhook, parse_decision
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode

from tests.unit.guard.notify_builders import (
    FLASK_REPORT,
    corpus_decision,
    quarantined,
    subject_image,
)

pytestmark = pytest.mark.corpus

WEBHOOKS = {
    "default": "https://hooks.slack.com/services/T/B/default",
    "payments": "https://hooks.slack.com/services/T/B/payments",
    "payments-alerts": "https://hooks.slack.com/services/T/B/alerts",
}


@dataclass
class Metrics:
    counted: dict[str, int] = field(default_factory=dict)

    def count(
        self, name: str, value: int = 1, *, dimensions: Mapping[str, str] | None = None
    ) -> None:
        self.counted[name] = self.counted.get(name, 0) + value


@dataclass
class Directory:
    webhooks_by_key: dict[str, str]

    def webhooks(self) -> Mapping[str, str]:
        return self.webhooks_by_key


@dataclass
class Poster:
    fail: bool = False
    posted: list[tuple[str, str]] = field(default_factory=list)

    def post(self, url: str, payload: Mapping[str, Any], *, name: str) -> None:
        if self.fail:
            raise DeliveryError(f"webhook {name!r}: hooks.slack.com answered 500 'oops'")
        self.posted.append((name, url))


@dataclass
class Topic:
    fail: bool = False
    published: list[dict[str, Any]] = field(default_factory=list)

    def publish(
        self,
        *,
        subject: str,
        message: str,
        attributes: Mapping[str, str],
        message_structure: str | None = "json",
    ) -> str:
        if self.fail:
            raise AwsError("chatbot: Publish: AuthorizationError")
        self.published.append(json.loads(message))
        return "message-id"


def decision_body(corpus: Path, *, team: str, channel: str | None = None) -> NotificationV1:
    image = subject_image("1.2.3")
    route = NotifiedRoute(team=team, source=RouteSource.POLICY_ROUTE, slack_channel=channel)
    return build_notification(
        corpus_decision(corpus, FLASK_REPORT, image),
        image=image,
        action=quarantined("1.2.3"),
        mode=Mode.ENFORCE,
        team=None,
        event_id="evt-1",
        previous_verdict=Verdict.PASS,
        route=route,
    ).body


@pytest.mark.parametrize(
    ("team", "channel", "chosen"),
    [
        ("payments", "#Payments-Alerts", "payments-alerts"),
        ("payments", None, "payments"),
        ("checkout", "#checkout", "default"),
    ],
)
def test_webhook_is_the_channels_then_the_teams_then_the_default(
    corpus: Path, team: str, channel: str | None, chosen: str
) -> None:
    found = choose_webhook(WEBHOOKS, decision_body(corpus, team=team, channel=channel))

    assert found == (chosen, WEBHOOKS[chosen])


def test_nothing_is_chosen_without_a_match_or_a_default(corpus: Path) -> None:
    assert choose_webhook({"ops": WEBHOOKS["default"]}, decision_body(corpus, team="x")) is None


@pytest.mark.parametrize("message", ["not json", "[]", '{"type": "something.else"}'])
def test_messages_that_are_not_decisions_are_ignored(message: str) -> None:
    assert parse_decision(message) is None


def test_a_broken_decision_is_an_error_for_the_dead_letter_queue() -> None:
    with pytest.raises(EventError, match=r"not a valid ecr-guard\.decision"):
        parse_decision('{"type": "ecr-guard.decision", "version": "1"}')


def test_both_channels_are_tried_before_a_failure_is_raised(corpus: Path) -> None:
    metrics, topic = Metrics(), Topic()
    notifier = ChatNotifier(
        metrics=metrics, webhooks=Directory(WEBHOOKS), poster=Poster(fail=True), chatbot=topic
    )
    message = decision_body(corpus, team="payments").model_dump_json()

    with pytest.raises(DeliveryError, match="answered 500"):
        notifier.deliver(message)

    assert len(topic.published) == 1
    assert metrics.counted == {"ChatbotPublished": 1, "DeliveryFailures": 1}


def test_a_chatbot_failure_fails_the_delivery_too(corpus: Path) -> None:
    poster = Poster()
    notifier = ChatNotifier(
        metrics=Metrics(), webhooks=Directory(WEBHOOKS), poster=poster, chatbot=Topic(fail=True)
    )

    with pytest.raises(DeliveryError, match="chatbot topic: chatbot: Publish"):
        notifier.deliver(decision_body(corpus, team="payments").model_dump_json())

    assert poster.posted == [("payments", WEBHOOKS["payments"])]
