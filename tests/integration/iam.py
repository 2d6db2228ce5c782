"""Least privilege checked against what the functions really call.

Each recorded AWS call is mapped to the IAM action(s) and resource ARN it needs, with the test
stack's resources standing for the template's (the test table is GuardTable, and so on) and the
template's own region. template.yaml is rendered by the template tests' renderer, so `!Sub`
ARNs are compared as CloudFormation would deploy them.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.integration.calls import AwsCall
from tests.integration.stack import BUCKET, QUEUE, TABLE, TOPIC
from tests.unit.template.cfn import ACCOUNT, PARTITION, REGION, Renderer, load_template

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
FUNCTIONS = {
    "guard": "GuardFunction",
    "push_recorder": "PushRecorderFunction",
    "slack_notifier": "SlackNotifierFunction",
}

Grant = tuple[str, str]


def implied(renderer: Renderer) -> dict[str, dict[Grant, str]]:
    """Grants used on the functions' behalf: by Lambda's SQS poller, and by SNS with the
    topic's KMS key when the guard publishes (see `required` for the latter)."""
    queue = renderer.arn("GuardQueue")
    poller = "Lambda's poller for GuardQueueMapping receives and deletes the batches"
    return {
        "GuardFunction": {
            ("sqs:ReceiveMessage", queue): poller,
            ("sqs:DeleteMessage", queue): poller,
            ("sqs:GetQueueAttributes", queue): poller,
            ("sqs:ChangeMessageVisibility", queue): poller,
        },
        "PushRecorderFunction": {},
        "SlackNotifierFunction": {},
    }


def renderer_for_environment() -> Renderer:
    """The template deployed with the settings the functions ran with."""
    parameters: dict[str, Any] = {}
    if os.environ.get("ECR_GUARD_POLICY_PARAMETER"):
        parameters["PolicyParameterName"] = os.environ["ECR_GUARD_POLICY_PARAMETER"]
    if os.environ.get("ECR_GUARD_REPOSITORY_FILTER"):
        parameters["RepositoryFilter"] = os.environ["ECR_GUARD_REPOSITORY_FILTER"]
    if os.environ.get("ECR_GUARD_SLACK_WEBHOOK_SECRET"):
        parameters["SlackWebhookSecretArn"] = os.environ["ECR_GUARD_SLACK_WEBHOOK_SECRET"]
    if os.environ.get("ECR_GUARD_CHATBOT_TOPIC_ARN"):
        parameters["ChatbotTopicArn"] = os.environ["ECR_GUARD_CHATBOT_TOPIC_ARN"]
    return Renderer(load_template(TEMPLATE), parameters)


def required(call: AwsCall, renderer: Renderer) -> list[Grant]:
    """The (action, resource) pairs IAM checks for one call."""
    needs = {
        "ecr": _ecr,
        "dynamodb": _dynamodb,
        "s3": _s3,
        "secretsmanager": _secret,
        "sns": _publish,
        "sqs": _sqs,
        "ssm": _ssm,
    }.get(call.service)
    if needs is None:
        raise AssertionError(f"unexpected call {call.service}:{call.operation}")
    return needs(call, renderer)


def _ecr(call: AwsCall, renderer: Renderer) -> list[Grant]:
    params = call.params
    if call.operation == "ListTagsForResource":
        repository = params["resourceArn"].split(":repository/", 1)[1]
    else:
        repository = params["repositoryName"]
    account = params.get("registryId", ACCOUNT)
    # Events name their own region; in AWS a rule only sees its region's events.
    arn = f"arn:{PARTITION}:ecr:{REGION}:{account}:repository/{repository}"
    return [(f"ecr:{call.operation}", arn)]


def _dynamodb(call: AwsCall, renderer: Renderer) -> list[Grant]:
    assert call.params["TableName"] == TABLE, call.params["TableName"]
    return [(f"dynamodb:{call.operation}", renderer.arn("GuardTable"))]


def _s3(call: AwsCall, renderer: Renderer) -> list[Grant]:
    params = call.params
    assert (call.operation, params["Bucket"]) == ("GetObject", BUCKET)
    action = "s3:GetObjectVersion" if params.get("VersionId") else "s3:GetObject"
    return [(action, f"{renderer.arn('ReportsBucket')}/{params['Key']}")]


def _secret(call: AwsCall, renderer: Renderer) -> list[Grant]:
    del renderer  # the secret is the user's own, named by its complete ARN
    assert call.operation == "GetSecretValue"
    return [("secretsmanager:GetSecretValue", call.params["SecretId"])]


def _sqs(call: AwsCall, renderer: Renderer) -> list[Grant]:
    assert call.params["QueueUrl"].endswith(f"/{QUEUE}")
    return [(f"sqs:{call.operation}", renderer.arn("GuardQueue"))]


def _ssm(call: AwsCall, renderer: Renderer) -> list[Grant]:
    del renderer
    name = call.params["Name"]
    name = name if name.startswith("/") else f"/{name}"
    return [(f"ssm:{call.operation}", f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:parameter{name}")]


def _publish(call: AwsCall, renderer: Renderer) -> list[Grant]:
    assert call.operation == "Publish"
    if call.function == "slack_notifier":
        # The Chatbot topic is the user's own: the test stack's is not encrypted.
        return [("sns:Publish", call.params["TopicArn"])]
    assert call.params["TopicArn"].endswith(f":{TOPIC}")
    key = renderer.arn("GuardKey")
    # Publishing to a topic encrypted with a customer managed key needs the key too.
    return [
        ("sns:Publish", renderer.arn("GuardTopic")),
        ("kms:GenerateDataKey", key),
        ("kms:Decrypt", key),
    ]


def granted(renderer: Renderer, function: str) -> list[Grant]:
    """The function's Allow grants, as deployed (patterns as written)."""
    policies = renderer.template["Resources"][function]["Properties"]["Policies"]
    grants: list[Grant] = []
    for policy in policies:
        for statement in renderer.render(policy)["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            resources = statement["Resource"]
            for action in actions if isinstance(actions, list) else [actions]:
                for resource in resources if isinstance(resources, list) else [resources]:
                    grants.append((action, resource))
    return grants


def covers(grant: Grant, need: Grant) -> bool:
    """IAM matching: `*` and `?` in the granted action and resource, actions case-insensitive."""
    action, resource = grant
    return fnmatch.fnmatchcase(need[0].lower(), action.lower()) and fnmatch.fnmatchcase(
        need[1], resource
    )


def denied(calls: Iterable[AwsCall], renderer: Renderer) -> list[tuple[str, Grant]]:
    """(function, need) for every call its function's policies do not allow."""
    missing = []
    for call in calls:
        if call.function is None:
            continue
        function = FUNCTIONS[call.function]
        grants = granted(renderer, function)
        for need in required(call, renderer):
            if not any(covers(grant, need) for grant in grants):
                missing.append((function, need))
    return missing


def unused(calls: Iterable[AwsCall], renderer: Renderer) -> list[tuple[str, Grant]]:
    """(function, grant) for every grant that no call needed and nothing implies."""
    needs: dict[str, list[Grant]] = {name: [] for name in FUNCTIONS.values()}
    for call in calls:
        if call.function is not None:
            needs[FUNCTIONS[call.function]].extend(required(call, renderer))
    result = []
    for function, implied_grants in implied(renderer).items():
        if not renderer.deployed(function):
            continue
        for grant in granted(renderer, function):
            if grant in implied_grants:
                continue
            if not any(covers(grant, need) for need in needs[function]):
                result.append((function, grant))
    return result
