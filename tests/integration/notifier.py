"""The Slack notifier run in-process: its webhook secret and Chatbot topic in moto, its webhook
on 127.0.0.1, and the SNS events the guard topic would invoke it with.

Test modules import the fixtures they use from here (`slack`, `slack_notifier`, `chat_setup`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import boto3
import pytest

from tests.integration.calls import CallRecorder
from tests.integration.functions import (
    FUNCTION_NAMES,
    SLACK_NOTIFIER,
    LambdaContext,
    Output,
    load_handler,
    parse_output,
)
from tests.integration.slack_server import SlackServer, running_slack
from tests.integration.stack import REGION, Notification, Stack

SECRET_NAME = "ecr-guard/slack-webhooks"
CHATBOT_TOPIC = "chatbot-security-alerts"
PAYMENTS_PATH = "/services/T0000PAY/B0000PAY/paymentsSECRETtoken"


@dataclass(frozen=True)
class ChatSetup:
    secret_arn: str
    chatbot_topic_arn: str
    chatbot_queue_url: str

    def chatbot_messages(self) -> list[dict[str, Any]]:
        """What the Chatbot topic received (raw messages), consumed."""
        sqs = boto3.client("sqs", region_name=REGION)
        received = []
        while messages := sqs.receive_message(
            QueueUrl=self.chatbot_queue_url, MaxNumberOfMessages=10
        ).get("Messages", []):
            for message in messages:
                received.append(json.loads(message["Body"]))
                sqs.delete_message(
                    QueueUrl=self.chatbot_queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return received


def sns_event(*notifications: Notification) -> dict[str, Any]:
    """The event SNS invokes a subscribed function with, for messages the guard published."""
    records = []
    for notification in notifications:
        envelope = notification.envelope
        records.append(
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{envelope['TopicArn']}:slack-notifier",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": envelope["MessageId"],
                    "TopicArn": envelope["TopicArn"],
                    "Subject": envelope.get("Subject"),
                    "Message": envelope["Message"],
                    "Timestamp": envelope["Timestamp"],
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/cert.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {
                        name: {"Type": value["Type"], "Value": value["Value"]}
                        for name, value in envelope.get("MessageAttributes", {}).items()
                    },
                },
            }
        )
    return {"Records": records}


@dataclass
class NotifierRun:
    response: Any
    output: Output
    error: Exception | None


@dataclass
class SlackNotifier:
    """SlackNotifierFunction: cold start on the first run (or after `cold_start`)."""

    capsys: pytest.CaptureFixture[str]
    calls: CallRecorder
    module: ModuleType | None = None
    runs: list[NotifierRun] = field(default_factory=list)

    def cold_start(self) -> None:
        self.module = None

    def __call__(self, event: dict[str, Any]) -> NotifierRun:
        self.capsys.readouterr()
        if self.module is None:
            self.module = load_handler(SLACK_NOTIFIER)
        context = LambdaContext(function_name=FUNCTION_NAMES[SLACK_NOTIFIER])
        response, error = None, None
        with self.calls.running(SLACK_NOTIFIER):
            try:
                response = self.module.lambda_handler(event, context)
            except Exception as raised:  # what Lambda would retry, then dead-letter
                error = raised
        run = NotifierRun(response, parse_output(self.capsys.readouterr().out), error)
        self.runs.append(run)
        return run


@pytest.fixture
def slack() -> Iterator[SlackServer]:
    with running_slack() as server:
        yield server


@pytest.fixture
def chat_setup(stack: Stack, slack: SlackServer, monkeypatch: pytest.MonkeyPatch) -> ChatSetup:
    """The webhook secret (default and `payments` webhooks) and a Chatbot topic, in moto, and
    the notifier's environment naming them."""
    secrets = boto3.client("secretsmanager", region_name=REGION)
    webhooks = {"default": slack.url(), "payments": slack.url(PAYMENTS_PATH)}
    secret_arn = secrets.create_secret(Name=SECRET_NAME, SecretString=json.dumps(webhooks))["ARN"]
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    topic_arn = sns.create_topic(Name=CHATBOT_TOPIC)["TopicArn"]
    queue_url = sqs.create_queue(QueueName="chatbot-reader")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    monkeypatch.setenv("ECR_GUARD_SLACK_WEBHOOK_SECRET", secret_arn)
    monkeypatch.setenv("ECR_GUARD_CHATBOT_TOPIC_ARN", topic_arn)
    return ChatSetup(secret_arn, topic_arn, queue_url)


@pytest.fixture
def slack_notifier(
    stack: Stack, capsys: pytest.CaptureFixture[str], calls: CallRecorder
) -> Iterator[SlackNotifier]:
    # The notifier quiets urllib3's and botocore's loggers at cold start: other tests get
    # them back as they were.
    loggers = [logging.getLogger(name) for name in ("urllib3", "botocore")]
    levels = [logger.level for logger in loggers]
    yield SlackNotifier(capsys, calls)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)
