"""The guard's stack in moto: ledger table, topic with an SQS subscriber, guard queue, reports
bucket, and the functions' environment; plus readers for what the tests assert on."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer

REGION = "us-east-1"
ACCOUNT = "123456789012"
TABLE = "ecr-guard-ledger"
TOPIC = "ecr-guard-decisions"
QUEUE = "ecr-guard-queue"
SUBSCRIBER = "decisions-subscriber"
BUCKET = "ecr-guard-reports"

_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class Notification:
    """One SNS message as an SQS subscriber receives it."""

    subject: str
    body: dict[str, Any]
    attributes: dict[str, str]
    envelope: dict[str, Any] = field(repr=False)


@dataclass
class Stack:
    table: str
    topic_arn: str
    queue_url: str
    subscriber_url: str
    bucket: str

    def environment(self) -> dict[str, str]:
        return {
            "AWS_REGION": REGION,
            "ECR_GUARD_TABLE": self.table,
            "ECR_GUARD_TOPIC_ARN": self.topic_arn,
            "ECR_GUARD_QUEUE_URL": self.queue_url,
            "ECR_GUARD_REPORTS_BUCKET": self.bucket,
            "AWS_LAMBDA_FUNCTION_NAME": "ecr-guard-GuardFunction",
            "POWERTOOLS_SERVICE_NAME": "ecr-guard",
            "POWERTOOLS_METRICS_NAMESPACE": "EcrGuard",
        }

    def notifications(self) -> list[Notification]:
        """Every message the subscriber queue received since the last call."""
        sqs = boto3.client("sqs", region_name=REGION)
        received: list[Notification] = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.subscriber_url, MaxNumberOfMessages=10)
            messages = batch.get("Messages", [])
            if not messages:
                return received
            for message in messages:
                envelope = json.loads(message["Body"])
                received.append(
                    Notification(
                        subject=envelope.get("Subject", ""),
                        body=json.loads(envelope["Message"]),
                        attributes={
                            name: value["Value"]
                            for name, value in envelope.get("MessageAttributes", {}).items()
                        },
                        envelope=envelope,
                    )
                )
                sqs.delete_message(
                    QueueUrl=self.subscriber_url, ReceiptHandle=message["ReceiptHandle"]
                )

    def queued_requests(self) -> list[dict[str, Any]]:
        """Messages the push recorder sent to the guard queue (consumed)."""
        sqs = boto3.client("sqs", region_name=REGION)
        bodies = []
        while messages := sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return bodies

    def items(self, pk_prefix: str = "image#") -> list[dict[str, Any]]:
        table = boto3.client("dynamodb", region_name=REGION)
        items = []
        for page in table.get_paginator("scan").paginate(TableName=self.table):
            for item in page["Items"]:
                plain = {name: _deserializer.deserialize(value) for name, value in item.items()}
                if str(plain["pk"]).startswith(pk_prefix):
                    items.append(plain)
        return items

    def state(self, region: str, repository: str, digest: str) -> dict[str, Any] | None:
        pk = f"image#{ACCOUNT}#{region}#{repository}#{digest}"
        found = [item for item in self.items() if item["pk"] == pk and item["sk"] == "state"]
        return found[0] if found else None

    def history(self, region: str, repository: str, digest: str, prefix: str) -> list[dict]:
        pk = f"image#{ACCOUNT}#{region}#{repository}#{digest}"
        return sorted(
            (item for item in self.items() if item["pk"] == pk and item["sk"].startswith(prefix)),
            key=lambda item: item["sk"],
        )


def create_stack() -> Stack:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("pk", "sk", "gsi1pk", "gsi1sk")
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    dynamodb.update_time_to_live(
        TableName=TABLE,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"},
    )
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    topic_arn = sns.create_topic(Name=TOPIC)["TopicArn"]
    subscriber_url = sqs.create_queue(QueueName=SUBSCRIBER)["QueueUrl"]
    subscriber_arn = sqs.get_queue_attributes(QueueUrl=subscriber_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=subscriber_arn)
    queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return Stack(
        table=TABLE,
        topic_arn=topic_arn,
        queue_url=queue_url,
        subscriber_url=subscriber_url,
        bucket=BUCKET,
    )
