"""Least privilege: each function gets exactly the permissions of the design, nothing wider.

The expected grants are GUARD-DESIGN's "Permissions per function", checked in both directions.
Besides its Policies, SAM gives each function AWSLambdaBasicExecutionRole (its own logs) and,
for the push recorder's and the notifier's on-failure destinations, sqs:SendMessage on
PushRecorderDLQ and SlackDLQ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .cfn import ACCOUNT, PARTITION, REGION, Renderer
from .deployments import CHATBOT_TOPIC_ARN, SLACK_SECRET_ARN, WITH_CHAT, WITH_CHATBOT, WITH_SLACK

Grant = tuple[str, str]

# (resource logical id, statement Sid, wildcard action or "Resource *") → why it is needed.
WILDCARD_ALLOWED = {
    ("GuardFunction", "EncryptForTopic", "kms:GenerateDataKey*"): "the family SNS calls",
    ("GuardKey", "AccountAdministersKey", "kms:*"): "the account administers its own key",
    ("GuardKey", "AccountAdministersKey", "Resource *"): "in a key policy, * is the key",
    ("GuardKey", "CloudWatchAlarmsPublishToTopic", "kms:GenerateDataKey*"): "what SNS calls",
    ("GuardKey", "CloudWatchAlarmsPublishToTopic", "Resource *"): "in a key policy, * is the key",
}

POLICY_PROPERTIES = {
    "AWS::KMS::Key": "KeyPolicy",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
    "AWS::S3::BucketPolicy": "PolicyDocument",
}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def function_statements(renderer: Renderer, function: str) -> list[dict[str, Any]]:
    policies = renderer.template["Resources"][function]["Properties"]["Policies"]
    return [statement for policy in policies for statement in renderer.render(policy)["Statement"]]


def grants(renderer: Renderer, function: str) -> set[Grant]:
    granted: set[Grant] = set()
    for statement in function_statements(renderer, function):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            granted.update((action, resource) for resource in as_list(statement["Resource"]))
    return granted


def all_statements(renderer: Renderer) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every policy statement of the template: functions' and resource policies."""
    for logical_id, resource in renderer.template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            for statement in function_statements(renderer, logical_id):
                yield logical_id, statement
        elif resource["Type"] in POLICY_PROPERTIES:
            document = renderer.render(resource["Properties"][POLICY_PROPERTIES[resource["Type"]]])
            for statement in document["Statement"]:
                yield logical_id, statement


def expected_push_recorder(renderer: Renderer, repositories: str) -> set[Grant]:
    table, queue = renderer.arn("GuardTable"), renderer.arn("GuardQueue")
    return {
        ("ecr:BatchGetImage", repositories),
        ("dynamodb:UpdateItem", table),
        ("sqs:SendMessage", queue),
    }


def expected_guard(renderer: Renderer, repositories: str) -> set[Grant]:
    ecr_actions = [
        "ecr:DescribeImageScanFindings",
        "ecr:DescribeImages",
        "ecr:BatchGetImage",
        "ecr:PutImage",
        "ecr:BatchDeleteImage",
        "ecr:UpdateImageStorageClass",
        "ecr:GetLifecyclePolicy",
        "ecr:ListTagsForResource",
    ]
    table_actions = ["GetItem", "PutItem", "UpdateItem", "DeleteItem"]
    poller_actions = [
        "ReceiveMessage",
        "DeleteMessage",
        "GetQueueAttributes",
        "ChangeMessageVisibility",
    ]
    reports = renderer.arn("ReportsBucket") + "/trivy/*"
    key = renderer.arn("GuardKey")
    return {
        *((action, repositories) for action in ecr_actions),
        ("s3:GetObject", reports),
        ("s3:GetObjectVersion", reports),
        *((f"dynamodb:{action}", renderer.arn("GuardTable")) for action in table_actions),
        ("sns:Publish", renderer.arn("GuardTopic")),
        ("kms:GenerateDataKey*", key),
        ("kms:Decrypt", key),
        *((f"sqs:{action}", renderer.arn("GuardQueue")) for action in poller_actions),
    }


def repositories_arn(repository_filter: str) -> str:
    return f"arn:{PARTITION}:ecr:{REGION}:{ACCOUNT}:repository/{repository_filter}"


@pytest.mark.parametrize("repository_filter", ["*", "team/*"])
def test_push_recorder_gets_exactly_its_permissions(
    renderer_for: Callable[..., Renderer], repository_filter: str
) -> None:
    renderer = renderer_for(RepositoryFilter=repository_filter)
    expected = expected_push_recorder(renderer, repositories_arn(repository_filter))
    assert grants(renderer, "PushRecorderFunction") == expected


@pytest.mark.parametrize("repository_filter", ["*", "team/*"])
def test_guard_gets_exactly_its_permissions(
    renderer_for: Callable[..., Renderer], repository_filter: str
) -> None:
    renderer = renderer_for(RepositoryFilter=repository_filter)
    expected = expected_guard(renderer, repositories_arn(repository_filter))
    assert grants(renderer, "GuardFunction") == expected


@pytest.mark.parametrize(
    ("parameter_name", "parameter_arn_suffix"),
    [
        ("/ecr-guard/policy", "parameter/ecr-guard/policy"),
        ("ecr-guard-policy", "parameter/ecr-guard-policy"),
    ],
)
def test_guard_reads_the_policy_parameter_only_when_one_is_named(
    renderer_for: Callable[..., Renderer], parameter_name: str, parameter_arn_suffix: str
) -> None:
    renderer = renderer_for(PolicyParameterName=parameter_name)
    parameter_arn = f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT}:{parameter_arn_suffix}"
    expected = expected_guard(renderer, repositories_arn("*")) | {
        ("ssm:GetParameter", parameter_arn)
    }
    assert grants(renderer, "GuardFunction") == expected


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        (WITH_SLACK, {("secretsmanager:GetSecretValue", SLACK_SECRET_ARN)}),
        (WITH_CHATBOT, {("sns:Publish", CHATBOT_TOPIC_ARN)}),
        (
            WITH_CHAT,
            {
                ("secretsmanager:GetSecretValue", SLACK_SECRET_ARN),
                ("sns:Publish", CHATBOT_TOPIC_ARN),
            },
        ),
    ],
)
def test_notifier_gets_exactly_its_permissions(
    renderer_for: Callable[..., Renderer], parameters: dict[str, str], expected: set[Grant]
) -> None:
    renderer = renderer_for(**parameters)
    assert renderer.deployed("SlackNotifierFunction")
    assert grants(renderer, "SlackNotifierFunction") == expected


def test_notifier_exists_only_when_slack_or_chatbot_is_configured(
    rendered: Renderer, with_chat: Renderer
) -> None:
    chat_resources = {
        logical_id
        for logical_id, resource in rendered.template["Resources"].items()
        if resource.get("Condition") == "HasChatNotifier"
    }
    assert chat_resources == {
        "SlackNotifierFunction",
        "SlackNotifierLogGroup",
        "SlackDLQ",
        "SlackDLQPolicy",
        "SlackDLQAlarm",
        "SlackNotifierErrorsAlarm",
    }
    assert not any(rendered.deployed(logical_id) for logical_id in chat_resources)
    assert all(with_chat.deployed(logical_id) for logical_id in chat_resources)


def test_no_function_reads_other_secrets_or_publishes_elsewhere(with_chat: Renderer) -> None:
    for function in ("GuardFunction", "PushRecorderFunction"):
        actions = {action for action, _ in grants(with_chat, function)}
        assert "secretsmanager:GetSecretValue" not in actions
    assert grants(with_chat, "GuardFunction") == expected_guard(with_chat, repositories_arn("*"))


def wildcards(renderer: Renderer) -> set[tuple[str, str, str]]:
    """(owner, Sid, wildcard) for every wildcard action and Resource "*" of an Allow statement."""
    found: set[tuple[str, str, str]] = set()
    for owner, statement in all_statements(renderer):
        if statement["Effect"] != "Allow":
            continue
        sid = statement.get("Sid", "")
        found.update((owner, sid, a) for a in as_list(statement["Action"]) if "*" in a)
        if "*" in as_list(statement["Resource"]):
            found.add((owner, sid, "Resource *"))
    return found


def test_no_allow_statement_has_a_wildcard_action_or_resource(with_chat: Renderer) -> None:
    assert wildcards(with_chat) - set(WILDCARD_ALLOWED) == set()


def test_every_wildcard_exception_is_still_needed(rendered: Renderer) -> None:
    assert set(WILDCARD_ALLOWED) - wildcards(rendered) == set()


def test_service_principals_are_scoped_by_source(rendered: Renderer) -> None:
    unscoped = [
        (owner, statement.get("Sid"))
        for owner, statement in all_statements(rendered)
        if statement["Effect"] == "Allow"
        and "Service" in statement.get("Principal", {})
        and "aws:SourceArn" not in str(statement.get("Condition"))
    ]
    assert unscoped == []


def test_functions_only_use_event_sources_that_add_no_managed_policy(
    resources: dict[str, Any],
) -> None:
    # SAM's SQS event source would attach AWSLambdaSQSQueueExecutionRole (Resource "*"); its
    # EventBridgeRule and SNS event sources only add a rule or subscription and an invoke
    # permission.
    event_types = {
        event["Type"]
        for resource in resources.values()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
    }
    assert event_types == {"EventBridgeRule", "SNS"}


def test_functions_use_inline_statements_and_their_own_role(resources: dict[str, Any]) -> None:
    functions = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    assert len(functions) == 3
    for function in functions:
        properties = function["Properties"]
        assert "Role" not in properties
        assert all(
            isinstance(policy, dict) and "Statement" in policy for policy in properties["Policies"]
        )


def test_key_policy_grants_cloudwatch_for_this_stacks_alarms_only(rendered: Renderer) -> None:
    statements = {
        statement["Sid"]: statement
        for statement in rendered.render(
            rendered.template["Resources"]["GuardKey"]["Properties"]["KeyPolicy"]
        )["Statement"]
    }
    assert set(statements) == {"AccountAdministersKey", "CloudWatchAlarmsPublishToTopic"}
    root = statements["AccountAdministersKey"]
    assert root["Principal"] == {"AWS": f"arn:{PARTITION}:iam::{ACCOUNT}:root"}
    cloudwatch = statements["CloudWatchAlarmsPublishToTopic"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert sorted(cloudwatch["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert cloudwatch["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {
            "aws:SourceArn": f"arn:{PARTITION}:cloudwatch:{REGION}:{ACCOUNT}:alarm:ecr-guard-*"
        },
    }
