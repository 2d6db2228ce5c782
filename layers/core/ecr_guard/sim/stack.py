"""What template.yaml creates, created in the emulator and named after the template's logical ids
(`ecr-guard-GuardTable`, as CloudFormation names them after the stack and the logical id).

Every resource type of the template is accounted for in `TEMPLATE_RESOURCE_TYPES`: created in
the emulator, run or played by the simulator, or not emulated (with the reason). A test compares
it with template.yaml, so the two cannot drift apart silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ecr_guard.sim.scenario import StackParameters

STACK_NAME = "ecr-guard"
ACCOUNT = "123456789012"
CAPTURE_QUEUE = "DecisionCapture"
"""Not in the template: the queue subscribed to GuardTopic to capture what is published."""


class Emulation(StrEnum):
    CREATED = "created in the emulator"
    RUN = "run in-process by the simulator"
    PLAYED = "played by the simulator"
    NOT_ENFORCED = "not created: the emulator does not enforce resource policies"
    NOT_EMULATED = "not emulated"


TEMPLATE_RESOURCE_TYPES: Mapping[str, Emulation] = {
    "AWS::DynamoDB::Table": Emulation.CREATED,
    "AWS::KMS::Key": Emulation.CREATED,
    "AWS::KMS::Alias": Emulation.CREATED,
    "AWS::S3::Bucket": Emulation.CREATED,
    "AWS::SNS::Topic": Emulation.CREATED,
    # The email subscriptions need an address; a queue subscribed in their place captures what
    # a subscriber receives (CAPTURE_QUEUE).
    "AWS::SNS::Subscription": Emulation.PLAYED,
    "AWS::SQS::Queue": Emulation.CREATED,
    # The functions' code is the installed package; the handlers run in this process.
    "AWS::Serverless::Function": Emulation.RUN,
    "AWS::Serverless::LayerVersion": Emulation.RUN,
    # EventBridge rules: the simulator builds each event and sends it where the rule would.
    "AWS::Events::Rule": Emulation.PLAYED,
    # The event source mapping: the simulator drains GuardQueue in batches, deletes what the
    # guard processed, and lets SQS redeliver the rest (then GuardDLQ after 5 receives).
    "AWS::Lambda::EventSourceMapping": Emulation.PLAYED,
    "AWS::SQS::QueuePolicy": Emulation.NOT_ENFORCED,
    "AWS::SNS::TopicPolicy": Emulation.NOT_ENFORCED,
    "AWS::S3::BucketPolicy": Emulation.NOT_ENFORCED,
    # The functions' logs are captured and shown in each step (`--json`).
    "AWS::Logs::LogGroup": Emulation.NOT_EMULATED,
    # Each step reports the dead-letter queues' depth and function errors instead.
    "AWS::CloudWatch::Alarm": Emulation.NOT_EMULATED,
}

FUNCTION_HANDLERS: Mapping[str, str] = {
    "GuardFunction": "ecr_guard.handlers.guard",
    "PushRecorderFunction": "ecr_guard.handlers.push_recorder",
}
"""The template's functions the simulator runs, by logical id."""

FUNCTIONS_NOT_RUN: Mapping[str, str] = {
    "SlackNotifierFunction": "Slack and AWS Chatbot are outside the emulator; the message it "
    "would post is the one captured from GuardTopic",
}
"""The template's functions the simulator does not run, and why."""

PARAMETER_VARIABLES: Mapping[str, str] = {
    "Mode": "ECR_GUARD_MODE",
    "QuarantineMethod": "ECR_GUARD_QUARANTINE_METHOD",
    "QuarantineTagPrefix": "ECR_GUARD_QUARANTINE_TAG_PREFIX",
    "VerifiedTag": "ECR_GUARD_VERIFIED_TAG",
    "OwnerTag": "ECR_GUARD_OWNER_TAG",
    "RepositoryFilter": "ECR_GUARD_REPOSITORY_FILTER",
    "NotifyOn": "ECR_GUARD_NOTIFY_ON",
}
"""The functions' environment variables set from stack parameters (template Globals)."""

RESOURCE_VARIABLES: Mapping[str, str] = {
    "ECR_GUARD_TABLE": "GuardTable",
    "ECR_GUARD_TOPIC_ARN": "GuardTopic",
    "ECR_GUARD_QUEUE_URL": "GuardQueue",
    "ECR_GUARD_REPORTS_BUCKET": "ReportsBucket",
}
"""The functions' environment variables naming stack resources (template Globals)."""

FIXED_VARIABLES: Mapping[str, str] = {
    "POWERTOOLS_SERVICE_NAME": "ecr-guard",
    "POWERTOOLS_METRICS_NAMESPACE": "EcrGuard",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    # The policy is handed to the functions as a packaged file (ECR_GUARD_POLICY_FILE).
    "ECR_GUARD_POLICY_PARAMETER": "",
    # Slack and AWS Chatbot are outside the emulator: what they would be sent is the message
    # captured from GuardTopic.
    "ECR_GUARD_SLACK_WEBHOOK_SECRET": "",
    "ECR_GUARD_CHATBOT_TOPIC_ARN": "",
}


def parameter_environment(parameters: StackParameters) -> dict[str, str]:
    """The environment variables the stack parameters set, as the template's Globals do."""
    values = parameters.model_dump(by_alias=True, mode="json")
    return {variable: str(values[name]) for name, variable in PARAMETER_VARIABLES.items()}


def physical_name(logical_id: str) -> str:
    return f"{STACK_NAME}-{logical_id}"


@dataclass
class SimulatedStack:
    """The stack's resources in the emulator, by logical id."""

    region: str
    account: str = ACCOUNT
    resources: dict[str, str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)

    @property
    def table(self) -> str:
        return self.resources["GuardTable"]

    @property
    def topic_arn(self) -> str:
        return self.resources["GuardTopic"]

    @property
    def bucket(self) -> str:
        return self.resources["ReportsBucket"]

    def queue_url(self, logical_id: str) -> str:
        return self.queue_urls[logical_id]

    def queue_arn(self, logical_id: str) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{physical_name(logical_id)}"

    def function_arn(self, logical_id: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{physical_name(logical_id)}"

    def environment(
        self, parameters: StackParameters, *, function: str, policy_file: str
    ) -> dict[str, str]:
        """One function's environment variables, as Lambda sets them from the template."""
        resources = {
            "ECR_GUARD_TABLE": self.table,
            "ECR_GUARD_TOPIC_ARN": self.topic_arn,
            "ECR_GUARD_QUEUE_URL": self.queue_url("GuardQueue"),
            "ECR_GUARD_REPORTS_BUCKET": self.bucket,
        }
        return {
            **FIXED_VARIABLES,
            **parameter_environment(parameters),
            **resources,
            "ECR_GUARD_POLICY_FILE": policy_file,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_LAMBDA_FUNCTION_NAME": physical_name(function),
        }


def create_stack(region: str) -> SimulatedStack:
    """Create the template's resources in the emulator (clients from the environment)."""
    import boto3  # noqa: PLC0415 (the simulator's dependency, loaded when used)

    stack = SimulatedStack(region=region)
    kms: Any = boto3.client("kms", region_name=region)
    key_id = kms.create_key(Description="Encrypts the ecr-guard decision and alarm topics")[
        "KeyMetadata"
    ]["KeyId"]
    kms.enable_key_rotation(KeyId=key_id)
    stack.resources["GuardKey"] = key_id
    alias = f"alias/{STACK_NAME}-notifications"
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    stack.resources["GuardKeyAlias"] = alias

    sns: Any = boto3.client("sns", region_name=region)
    for topic in ("GuardTopic", "AlarmTopic"):
        stack.resources[topic] = sns.create_topic(
            Name=physical_name(topic), Attributes={"KmsMasterKeyId": key_id}
        )["TopicArn"]

    _create_queues(stack, region)
    _create_table(stack, region)
    _create_bucket(stack, region)

    sns.subscribe(TopicArn=stack.topic_arn, Protocol="sqs", Endpoint=stack.queue_arn(CAPTURE_QUEUE))
    return stack


def _create_queues(stack: SimulatedStack, region: str) -> None:
    import boto3  # noqa: PLC0415

    sqs: Any = boto3.client("sqs", region_name=region)
    encrypted = {"SqsManagedSseEnabled": "true"}
    for logical_id in ("GuardDLQ", "PushRecorderDLQ", CAPTURE_QUEUE):
        url = sqs.create_queue(QueueName=physical_name(logical_id), Attributes=encrypted)
        stack.queue_urls[logical_id] = url["QueueUrl"]
    redrive = {"deadLetterTargetArn": stack.queue_arn("GuardDLQ"), "maxReceiveCount": 5}
    guard_queue = sqs.create_queue(
        QueueName=physical_name("GuardQueue"),
        Attributes={
            **encrypted,
            "VisibilityTimeout": "400",
            "MessageRetentionPeriod": "345600",
            "RedrivePolicy": json.dumps(redrive),
        },
    )
    stack.queue_urls["GuardQueue"] = guard_queue["QueueUrl"]
    for logical_id in ("GuardQueue", "GuardDLQ", "PushRecorderDLQ"):
        stack.resources[logical_id] = stack.queue_urls[logical_id]


def _create_table(stack: SimulatedStack, region: str) -> None:
    import boto3  # noqa: PLC0415

    dynamodb: Any = boto3.client("dynamodb", region_name=region)
    name = physical_name("GuardTable")
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": "S"}
            for attribute in ("pk", "sk", "gsi1pk", "gsi1sk")
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
        SSESpecification={"Enabled": True},
    )
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"}
    )
    stack.resources["GuardTable"] = name


def _create_bucket(stack: SimulatedStack, region: str) -> None:
    import boto3  # noqa: PLC0415

    s3: Any = boto3.client("s3", region_name=region)
    # Bucket names are lower case: CloudFormation lower-cases the logical id in them too.
    name = physical_name("ReportsBucket").lower()
    arguments: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**arguments)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    stack.resources["ReportsBucket"] = name
