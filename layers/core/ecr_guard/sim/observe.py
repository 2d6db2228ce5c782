"""Reading back what the functions did: the ledger's items, the messages on the decision topic
(through the queue subscribed to it), and the dead-letter queues."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ecr_guard.sim.report import Notification
from ecr_guard.sim.stack import CAPTURE_QUEUE, SimulatedStack

ItemKey = tuple[str, str]
IMAGE_PREFIX = "image#"


class Observer:
    """Reads the stack's table, subscriber queue and dead-letter queues."""

    def __init__(self, stack: SimulatedStack):
        import boto3  # noqa: PLC0415 (the simulator's dependency, loaded when used)
        from boto3.dynamodb.types import TypeDeserializer  # noqa: PLC0415

        self.stack = stack
        self._dynamodb: Any = boto3.client("dynamodb", region_name=stack.region)
        self._sqs: Any = boto3.client("sqs", region_name=stack.region)
        self._deserializer = TypeDeserializer()

    def ledger(self) -> dict[ItemKey, dict[str, Any]]:
        """Every image item of the ledger (idempotency records left out), as plain JSON."""
        items: dict[ItemKey, dict[str, Any]] = {}
        paginator = self._dynamodb.get_paginator("scan")
        for page in paginator.paginate(TableName=self.stack.table, ConsistentRead=True):
            for raw in page.get("Items", []):
                item = {
                    name: plain(self._deserializer.deserialize(value))
                    for name, value in raw.items()
                }
                if str(item["pk"]).startswith(IMAGE_PREFIX):
                    items[(str(item["pk"]), str(item["sk"]))] = item
        return items

    def notifications(self) -> list[Notification]:
        """The messages the subscriber received since the last call, in order."""
        received: list[Notification] = []
        url = self.stack.queue_url(CAPTURE_QUEUE)
        while True:
            batch = self._sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            )
            messages = batch.get("Messages", [])
            if not messages:
                return received
            for message in messages:
                envelope = json.loads(message["Body"])
                received.append(
                    Notification(
                        subject=envelope.get("Subject", ""),
                        attributes={
                            name: str(value.get("Value"))
                            for name, value in envelope.get("MessageAttributes", {}).items()
                        },
                        body=json.loads(envelope["Message"]),
                        email=self._email_text(str(envelope.get("MessageId", ""))),
                    )
                )
                self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def dead_letters(self) -> dict[str, int]:
        counts = {}
        for logical_id in ("GuardDLQ", "PushRecorderDLQ"):
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=self.stack.queue_url(logical_id),
                AttributeNames=["ApproximateNumberOfMessages"],
            )["Attributes"]
            counts[logical_id] = int(attributes.get("ApproximateNumberOfMessages", 0))
        return counts

    def _email_text(self, message_id: str) -> str | None:
        """The `email` body of a published message: a queue receives only its own protocol's
        body, so it is read from what the emulator's topic recorded as published."""
        from moto.sns.models import sns_backends  # noqa: PLC0415

        topic = sns_backends[self.stack.account][self.stack.region].topics[self.stack.topic_arn]
        for sent_id, message, *_ in topic.sent_notifications:
            if sent_id != message_id:
                continue
            try:
                bodies = json.loads(message)
            except ValueError:
                return None
            email = bodies.get("email") if isinstance(bodies, dict) else None
            return str(email) if email is not None else None
        return None


def changed_items(
    before: Mapping[ItemKey, dict[str, Any]], after: Mapping[ItemKey, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Items written or changed between two reads of the ledger, in key order."""
    return [after[key] for key in sorted(after) if before.get(key) != after[key]]


def plain(value: Any) -> Any:
    """DynamoDB values as JSON: numbers as int or float, sets as sorted lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(plain(item) for item in value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", errors="replace")
    return value
