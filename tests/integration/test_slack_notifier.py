"""The Slack notifier end to end: the guard publishes, SNS invokes the notifier, the notifier
posts to a webhook on 127.0.0.1 that checks Slack's limits and answers 429 and 500 as scripted.

Waits are recorded instead of slept: urllib3 sleeps through `time.sleep`, which the tests
replace, so the Retry-After it honours can be asserted without timing anything.
"""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import boto3
import pytest
from ecr_guard.adapters.webhook import RETRIES, RETRY_AFTER_CAP
from ecr_guard.errors import ConfigError, DeliveryError

from tests.integration.events import s3_object_created, scan_event
from tests.integration.notifier import (  # fixtures used by the tests below
    PAYMENTS_PATH,
    SECRET_NAME,
    chat_setup,
    slack,
    slack_notifier,
    sns_event,
)
from tests.integration.registry import basic_finding, basic_findings
from tests.integration.slack_server import (
    RATE_LIMITED,
    SERVER_ERROR,
    WEBHOOK_PATH,
    Answer,
)
from tests.integration.stack import BUCKET, REGION, Notification

__all__ = ["chat_setup", "slack", "slack_notifier"]

REPO = "team/app"
FAILING = basic_findings([basic_finding("CVE-2026-0101", "CRITICAL")])
FLASK_REPORT = "real-flask-api-202-vulns-trivy-0.70.json"


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every sleep urllib3 asks for while retrying, without sleeping."""
    asked: list[float] = []
    monkeypatch.setattr("urllib3.util.retry.time.sleep", asked.append)
    return asked


@pytest.fixture
def failed_decision(guard, pushed, registry, stack) -> Notification:
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    guard(scan_event(REPO, digest, ["1.2.3"]))
    [notification] = stack.notifications()
    return notification


@pytest.mark.corpus
def test_decision_from_a_real_report_is_posted_within_slacks_limits(
    *, corpus: Path, guard, pushed, stack, chat_setup, slack, slack_notifier
):
    digest = pushed("1.2.3")
    key = f"trivy/{REPO}/{digest}.json"
    body = (corpus / "trivy" / FLASK_REPORT).read_bytes()
    boto3.client("s3", region_name=REGION).put_object(Bucket=BUCKET, Key=key, Body=body)
    guard(s3_object_created(BUCKET, key))
    [notification] = stack.notifications()

    run = slack_notifier(sns_event(notification))

    assert run.error is None
    assert slack.refused == []
    [posted] = slack.accepted
    assert len(posted["blocks"]) <= 50
    assert posted["blocks"][0]["text"]["text"] == ":no_entry: FAIL team/app:1.2.3 quarantined"
    text = json.dumps(posted)
    assert "CVE-2025-15467" in text
    assert "ecr-guard release team/app@" in text
    assert "waivers:" in text
    assert run.output.metrics["SlackDelivered"] == 1
    assert run.response == {"delivered": [{"slack": "payments", "chatbot": True, "ignored": None}]}


def test_team_with_its_own_webhook_gets_the_message(
    failed_decision, chat_setup, slack, slack_notifier
):
    slack_notifier(sns_event(failed_decision))

    assert failed_decision.attributes["team"] == "payments"
    assert slack.paths == [PAYMENTS_PATH]


def test_other_teams_get_the_default_webhook(
    *, guard, pushed, registry, stack, chat_setup, slack, slack_notifier
):
    registry.create_repository(REPO, team="checkout")
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    guard(scan_event(REPO, digest, ["1.2.3"]))
    [notification] = stack.notifications()

    run = slack_notifier(sns_event(notification))

    assert notification.attributes["team"] == "checkout"
    assert slack.paths == [WEBHOOK_PATH]
    assert run.response["delivered"][0]["slack"] == "default"


def test_rate_limit_and_server_error_are_retried_until_delivered(
    failed_decision, chat_setup, slack, slack_notifier, waits
):
    slack.script = [RATE_LIMITED, SERVER_ERROR]

    run = slack_notifier(sns_event(failed_decision))

    assert run.error is None
    assert slack.requests == 3
    assert len(slack.accepted) == 1
    assert waits[0] == 1.0  # Retry-After of the 429


def test_a_long_retry_after_is_waited_only_up_to_the_cap(
    failed_decision, chat_setup, slack, slack_notifier, waits
):
    slack.script = [Answer(429, "rate_limited", retry_after="120")]

    run = slack_notifier(sns_event(failed_decision))

    assert run.error is None
    assert waits == [RETRY_AFTER_CAP]
    assert slack.requests == 2


def test_a_webhook_that_keeps_failing_raises_after_bounded_attempts(
    failed_decision, chat_setup, slack, slack_notifier, waits
):
    slack.always = SERVER_ERROR

    run = slack_notifier(sns_event(failed_decision))

    assert isinstance(run.error, DeliveryError)
    assert "answered 500" in str(run.error)
    assert slack.requests == RETRIES + 1
    [failure] = run.output.messages("slack delivery failed")
    assert failure["level"] == "ERROR"
    assert run.output.metrics["DeliveryFailures"] == 1
    # Chatbot was still tried: one channel failing does not hold the other back.
    assert len(chat_setup.chatbot_messages()) == 1


def test_a_refused_message_is_not_retried(
    failed_decision, chat_setup, slack, slack_notifier, waits
):
    slack.always = Answer(400, "invalid_blocks")

    run = slack_notifier(sns_event(failed_decision))

    assert isinstance(run.error, DeliveryError)
    assert "invalid_blocks" in str(run.error)
    assert slack.requests == 1


def test_webhook_urls_never_reach_a_log_line_or_an_error(
    *, failed_decision, chat_setup, slack, slack_notifier, waits, monkeypatch, caplog
):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    unreachable = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=SECRET_NAME, SecretString=json.dumps({"default": unreachable})
    )
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)

    run = slack_notifier(sns_event(failed_decision))

    assert isinstance(run.error, DeliveryError)
    secret_part = WEBHOOK_PATH.rsplit("/", 1)[1]
    logged = json.dumps(run.output.logs) + caplog.text
    assert run.output.messages("slack delivery failed")
    assert secret_part not in logged
    assert secret_part not in str(run.error)
    assert "NewConnectionError talking to 127.0.0.1" in str(run.error)
    assert run.error.__cause__ is None
    assert run.error.__context__ is None


def test_chatbot_gets_its_custom_notification_format(
    failed_decision, chat_setup, slack, slack_notifier
):
    slack_notifier(sns_event(failed_decision))

    [message] = chat_setup.chatbot_messages()
    assert (message["version"], message["source"]) == ("1.0", "custom")
    assert message["content"]["textType"] == "client-markdown"
    assert message["content"]["title"] == "FAIL team/app:1.2.3 quarantined"
    assert message["metadata"]["threadId"] == "team/app:1.2.3"
    assert any("ecr-guard release" in step for step in message["content"]["nextSteps"])


def test_a_message_that_is_not_a_decision_is_ignored(
    failed_decision, chat_setup, slack, slack_notifier
):
    envelope = dict(failed_decision.envelope, Message=json.dumps({"hello": "world"}))
    other = Notification("other", {}, {}, envelope)

    run = slack_notifier(sns_event(other))

    assert run.error is None
    assert slack.requests == 0
    assert run.output.metrics["MessagesIgnored"] == 1


def test_a_team_without_a_webhook_is_skipped_with_a_warning(
    failed_decision, chat_setup, slack, slack_notifier
):
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=SECRET_NAME, SecretString=json.dumps({"checkout": slack.url(PAYMENTS_PATH)})
    )

    run = slack_notifier(sns_event(failed_decision))

    assert run.error is None
    assert slack.requests == 0
    [skipped] = run.output.messages("no slack webhook")
    assert skipped["level"] == "WARNING"
    assert run.output.metrics["SlackSkipped"] == 1


def test_a_notifier_with_nowhere_to_deliver_fails_its_start(
    failed_decision, slack_notifier, monkeypatch
):
    monkeypatch.delenv("ECR_GUARD_SLACK_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("ECR_GUARD_CHATBOT_TOPIC_ARN", raising=False)

    run = slack_notifier(sns_event(failed_decision))

    assert isinstance(run.error, ConfigError)
    assert "needs at least one of them" in str(run.error)


def test_a_webhook_secret_that_is_not_a_map_of_urls_fails_naming_the_variable(
    failed_decision, chat_setup, slack_notifier
):
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=SECRET_NAME, SecretString="https://hooks.slack.com/services/T/B/notAmap"
    )

    run = slack_notifier(sns_event(failed_decision))

    assert isinstance(run.error, ConfigError)
    assert str(run.error).startswith("ECR_GUARD_SLACK_WEBHOOK_SECRET: ")
    assert "notAmap" not in str(run.error)
