"""template.yaml against the design: parameters, runtime, encryption, delivery, alarms, outputs."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from ecr_guard.adapters.webhook import WORST_CASE_SECONDS

from .cfn import Renderer, of_type, properties
from .deployments import WITH_CHAT

PARAMETER_DEFAULTS = {
    "Mode": "audit",
    "QuarantineMethod": "retag",
    "RepositoryFilter": "*",
    "PolicyParameterName": "",
    "NotificationEmail": "",
    "NotifyOn": "FAIL,WARN,UNKNOWN",
    "SlackWebhookSecretArn": "",
    "ChatbotTopicArn": "",
    "VerifiedTag": "",
    "QuarantineTagPrefix": "quarantine-sha256-",
    "OwnerTag": "team",
    "ReportRetentionDays": 90,
    "LogLevel": "INFO",
}
FOURTEEN_DAYS = 14 * 24 * 3600


# ---------------------------------------------------------------------------- parameters
def test_parameters_and_their_defaults(template: dict[str, Any]) -> None:
    defaults = {name: spec.get("Default") for name, spec in template["Parameters"].items()}
    assert defaults == PARAMETER_DEFAULTS


@pytest.mark.parametrize("name", sorted(PARAMETER_DEFAULTS))
def test_parameter_default_satisfies_its_own_constraints(
    template: dict[str, Any], name: str
) -> None:
    spec = template["Parameters"][name]
    assert spec["Description"]
    if "AllowedValues" in spec:
        assert spec["Default"] in spec["AllowedValues"]
    if "AllowedPattern" in spec:
        assert re.fullmatch(spec["AllowedPattern"], spec["Default"])


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("*", True),
        ("team/*", True),
        ("docker-hub/library/nginx", True),
        ("*-prod", True),
        ("team/**", False),
        ("Team/*", False),
        ("", False),
        ("team app", False),
    ],
)
def test_repository_filter_accepts_names_and_single_wildcards(
    template: dict[str, Any], value: str, allowed: bool
) -> None:
    pattern = template["Parameters"]["RepositoryFilter"]["AllowedPattern"]
    assert (re.fullmatch(pattern, value) is not None) is allowed


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("FAIL", True),
        ("FAIL,WARN,UNKNOWN,PASS", True),
        ("PASS", True),
        ("", False),
        ("FAIL, WARN", False),
        ("FAIL,BLOCKED", False),
    ],
)
def test_notify_on_takes_a_list_of_verdicts(
    template: dict[str, Any], value: str, allowed: bool
) -> None:
    pattern = template["Parameters"]["NotifyOn"]["AllowedPattern"]
    assert (re.fullmatch(pattern, value) is not None) is allowed


@pytest.mark.parametrize(
    ("parameter", "value", "allowed"),
    [
        (
            "SlackWebhookSecretArn",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-guard/slack-Ab12Cd",
            True,
        ),
        ("SlackWebhookSecretArn", "ecr-guard/slack", False),
        ("SlackWebhookSecretArn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x", False),
        ("ChatbotTopicArn", "arn:aws:sns:eu-west-1:123456789012:chatbot-alerts", True),
        ("ChatbotTopicArn", "chatbot-alerts", False),
    ],
)
def test_chat_parameters_take_complete_arns(
    template: dict[str, Any], parameter: str, value: str, allowed: bool
) -> None:
    pattern = template["Parameters"][parameter]["AllowedPattern"]
    assert (re.fullmatch(pattern, value) is not None) is allowed


def test_guided_deploy_groups_every_parameter_once(template: dict[str, Any]) -> None:
    interface = template["Metadata"]["AWS::CloudFormation::Interface"]
    grouped = [name for group in interface["ParameterGroups"] for name in group["Parameters"]]
    assert sorted(grouped) == sorted(PARAMETER_DEFAULTS)
    assert set(interface["ParameterLabels"]) == set(PARAMETER_DEFAULTS)


# ---------------------------------------------------------------------------- code
def test_functions_run_python_313_on_arm64_with_the_core_layer(template: dict[str, Any]) -> None:
    function_globals = template["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Architectures"] == ["arm64"]
    assert function_globals["Timeout"] == 60
    assert function_globals["MemorySize"] == 512
    assert function_globals["Layers"] == [{"Ref": "CoreLayer"}]
    for function in of_type(template["Resources"], "AWS::Serverless::Function").values():
        assert not {"Runtime", "Architectures", "Layers"} & set(function["Properties"])


def test_core_layer_is_built_for_python_313_on_arm64(resources: dict[str, Any]) -> None:
    layer = resources["CoreLayer"]
    assert layer["Properties"]["ContentUri"] == "layers/core"
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert layer["Metadata"] == {"BuildMethod": "python3.13", "BuildArchitecture": "arm64"}


@pytest.mark.parametrize(
    ("function", "code_uri"),
    [
        ("PushRecorderFunction", "functions/push_recorder"),
        ("GuardFunction", "functions/guard"),
        ("SlackNotifierFunction", "functions/slack_notifier"),
    ],
)
def test_function_code_and_handler(resources: dict[str, Any], function: str, code_uri: str) -> None:
    assert resources[function]["Properties"]["CodeUri"] == code_uri
    assert resources[function]["Properties"]["Handler"] == "app.lambda_handler"


def test_functions_get_every_setting_of_the_design(rendered: Renderer) -> None:
    variables = rendered.render(
        rendered.template["Globals"]["Function"]["Environment"]["Variables"]
    )
    assert variables == {
        "POWERTOOLS_SERVICE_NAME": "ecr-guard",
        "POWERTOOLS_METRICS_NAMESPACE": "EcrGuard",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "ECR_GUARD_MODE": "audit",
        "ECR_GUARD_QUARANTINE_METHOD": "retag",
        "ECR_GUARD_QUARANTINE_TAG_PREFIX": "quarantine-sha256-",
        "ECR_GUARD_VERIFIED_TAG": "",
        "ECR_GUARD_TABLE": rendered.physical_name("GuardTable"),
        "ECR_GUARD_TOPIC_ARN": rendered.arn("GuardTopic"),
        "ECR_GUARD_QUEUE_URL": rendered.render({"Ref": "GuardQueue"}),
        "ECR_GUARD_REPORTS_BUCKET": rendered.physical_name("ReportsBucket"),
        "ECR_GUARD_POLICY_PARAMETER": "",
        "ECR_GUARD_POLICY_FILE": "",
        "ECR_GUARD_OWNER_TAG": "team",
        "ECR_GUARD_REPOSITORY_FILTER": "*",
        "ECR_GUARD_NOTIFY_ON": "FAIL,WARN,UNKNOWN",
        "ECR_GUARD_SLACK_WEBHOOK_SECRET": "",
        "ECR_GUARD_CHATBOT_TOPIC_ARN": "",
    }


@pytest.mark.parametrize(
    ("function", "log_group"),
    [
        ("PushRecorderFunction", "PushRecorderLogGroup"),
        ("GuardFunction", "GuardLogGroup"),
        ("SlackNotifierFunction", "SlackNotifierLogGroup"),
    ],
)
def test_functions_log_to_their_own_group_with_retention(
    with_chat: Renderer, function: str, log_group: str
) -> None:
    logging_config = properties(with_chat, function)["LoggingConfig"]
    assert logging_config == {"LogGroup": with_chat.physical_name(log_group)}
    assert properties(with_chat, log_group)["RetentionInDays"] == 90


# ---------------------------------------------------------------------------- encryption
def test_topics_are_encrypted_with_the_rotated_guard_key(rendered: Renderer) -> None:
    assert properties(rendered, "GuardKey")["EnableKeyRotation"] is True
    for topic in ("GuardTopic", "AlarmTopic"):
        assert properties(rendered, topic)["KmsMasterKeyId"] == rendered.physical_name("GuardKey")


def test_every_queue_is_encrypted(resources: dict[str, Any]) -> None:
    queues = of_type(resources, "AWS::SQS::Queue")
    assert set(queues) == {"GuardQueue", "GuardDLQ", "PushRecorderDLQ", "SlackDLQ"}
    assert all(queue["Properties"]["SqsManagedSseEnabled"] is True for queue in queues.values())


def test_ledger_table_is_encrypted_recoverable_and_expires_idempotency_records(
    rendered: Renderer,
) -> None:
    table = properties(rendered, "GuardTable")
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]} == {
        "pk": "S",
        "sk": "S",
        "gsi1pk": "S",
        "gsi1sk": "S",
    }
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "gsi1"
    assert [key["AttributeName"] for key in index["KeySchema"]] == ["gsi1pk", "gsi1sk"]


def test_ledger_table_survives_stack_deletion(resources: dict[str, Any]) -> None:
    assert resources["GuardTable"]["DeletionPolicy"] == "Retain"
    assert resources["GuardTable"]["UpdateReplacePolicy"] == "Retain"


# ---------------------------------------------------------------------------- reports bucket
def test_reports_bucket_is_private_encrypted_versioned_and_owner_enforced(
    rendered: Renderer,
) -> None:
    bucket = properties(rendered, "ReportsBucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert bucket["NotificationConfiguration"] == {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True}
    }


def test_reports_expire_after_the_retention_parameter(
    renderer_for: Callable[..., Renderer],
) -> None:
    renderer = renderer_for(ReportRetentionDays=30)
    (rule,) = properties(renderer, "ReportsBucket")["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["ExpirationInDays"] == 30
    assert 1 <= rule["NoncurrentVersionExpiration"]["NoncurrentDays"] <= 30


def test_reports_bucket_refuses_plain_http(rendered: Renderer) -> None:
    policy = properties(rendered, "ReportsBucketPolicy")
    assert policy["Bucket"] == rendered.physical_name("ReportsBucket")
    (statement,) = policy["PolicyDocument"]["Statement"]
    bucket_arn = rendered.arn("ReportsBucket")
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert sorted(statement["Resource"]) == [bucket_arn, f"{bucket_arn}/*"]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


# ---------------------------------------------------------------------------- delivery
def test_guard_queue_outlasts_a_batch_and_redrives_after_five_receives(
    rendered: Renderer,
) -> None:
    queue = properties(rendered, "GuardQueue")
    mapping = properties(rendered, "GuardQueueMapping")
    timeout = rendered.template["Globals"]["Function"]["Timeout"]
    window = mapping["MaximumBatchingWindowInSeconds"]
    assert queue["VisibilityTimeout"] >= 6 * timeout + window
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": rendered.arn("GuardDLQ"),
        "maxReceiveCount": 5,
    }


@pytest.mark.parametrize("dlq", ["GuardDLQ", "PushRecorderDLQ", "SlackDLQ"])
def test_dead_letter_queues_keep_messages_fourteen_days(rendered: Renderer, dlq: str) -> None:
    assert properties(rendered, dlq)["MessageRetentionPeriod"] == FOURTEEN_DAYS
    assert properties(rendered, "GuardQueue")["MessageRetentionPeriod"] < FOURTEEN_DAYS


def test_guard_reads_its_queue_in_batches_with_partial_failures(rendered: Renderer) -> None:
    mapping = properties(rendered, "GuardQueueMapping")
    assert mapping["FunctionName"] == rendered.physical_name("GuardFunction")
    assert mapping["EventSourceArn"] == rendered.arn("GuardQueue")
    assert mapping["BatchSize"] == 100
    assert mapping["MaximumBatchingWindowInSeconds"] == 20
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # The smallest allowed; bounds concurrent ECR writes without throttling the poller.
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 2}


def test_asynchronous_function_has_retries_and_an_on_failure_destination(
    rendered: Renderer,
) -> None:
    function = properties(rendered, "PushRecorderFunction")
    invoke_config = function["EventInvokeConfig"]
    assert invoke_config["MaximumRetryAttempts"] == 2
    assert invoke_config["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": rendered.arn("PushRecorderDLQ"),
    }
    (event,) = function["Events"].values()
    assert event["Properties"]["DeadLetterConfig"] == {"Arn": rendered.arn("PushRecorderDLQ")}
    assert event["Properties"]["RetryPolicy"]["MaximumRetryAttempts"] > 0


def test_notifier_takes_every_decision_and_dead_letters_what_it_cannot_deliver(
    with_chat: Renderer,
) -> None:
    function = properties(with_chat, "SlackNotifierFunction")
    (event,) = function["Events"].values()
    assert event["Type"] == "SNS"
    # No filter policy: the guard publishes only what NotifyOn lets through.
    assert event["Properties"] == {"Topic": with_chat.arn("GuardTopic")}
    invoke_config = function["EventInvokeConfig"]
    assert invoke_config["MaximumRetryAttempts"] == 2
    assert invoke_config["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": with_chat.arn("SlackDLQ"),
    }
    (statement,) = properties(with_chat, "SlackDLQPolicy")["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_notifier_retries_fit_in_its_timeout(template: dict[str, Any]) -> None:
    timeout = template["Resources"]["SlackNotifierFunction"]["Properties"].get(
        "Timeout", template["Globals"]["Function"]["Timeout"]
    )
    # The webhook's worst case plus the secret read and a Chatbot publish.
    assert timeout > WORST_CASE_SECONDS + 10


def test_every_asynchronous_function_has_an_on_failure_destination(
    resources: dict[str, Any],
) -> None:
    for function in of_type(resources, "AWS::Serverless::Function").values():
        if function["Properties"].get("Events"):
            assert "OnFailure" in function["Properties"]["EventInvokeConfig"]["DestinationConfig"]


def test_rules_deliver_to_the_guard_queue_with_a_dead_letter_queue(rendered: Renderer) -> None:
    for logical_id in of_type(rendered.template["Resources"], "AWS::Events::Rule"):
        (target,) = properties(rendered, logical_id)["Targets"]
        assert target["Arn"] == rendered.arn("GuardQueue")
        assert target["DeadLetterConfig"] == {"Arn": rendered.arn("GuardDLQ")}


@pytest.mark.parametrize(
    ("policy", "queue", "sources"),
    [
        ("GuardQueuePolicy", "GuardQueue", None),
        ("GuardDLQPolicy", "GuardDLQ", None),
        ("PushRecorderDLQPolicy", "PushRecorderDLQ", ["PushRecorderFunctionImagePushed"]),
    ],
)
def test_queues_accept_events_only_from_their_rules(
    rendered: Renderer, policy: str, queue: str, sources: list[str] | None
) -> None:
    rules = sources or list(of_type(rendered.template["Resources"], "AWS::Events::Rule"))
    statements = {s["Sid"]: s for s in properties(rendered, policy)["PolicyDocument"]["Statement"]}
    allow = next(s for s in statements.values() if s["Effect"] == "Allow")
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Resource"] == rendered.arn(queue)
    source_arns = allow["Condition"]["ArnEquals"]["aws:SourceArn"]
    source_arns = source_arns if isinstance(source_arns, list) else [source_arns]
    assert sorted(source_arns) == sorted(rendered.arn(rule) for rule in rules)
    assert statements["DenyInsecureTransport"]["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }


# ---------------------------------------------------------------------------- notifications
def test_email_subscriptions_exist_only_with_an_address(
    resources: dict[str, Any], renderer_for: Callable[..., Renderer]
) -> None:
    subscriptions = of_type(resources, "AWS::SNS::Subscription")
    assert {s["Condition"] for s in subscriptions.values()} == {"HasEmail"}
    assert {s["Properties"]["TopicArn"]["Ref"] for s in subscriptions.values()} == {
        "GuardTopic",
        "AlarmTopic",
    }
    assert renderer_for().condition("HasEmail") is False
    assert renderer_for(NotificationEmail="platform@example.com").condition("HasEmail") is True


# ---------------------------------------------------------------------------- outputs
def test_outputs_tell_ci_and_operators_what_they_need(rendered: Renderer) -> None:
    outputs = {
        name: rendered.render(o["Value"]) for name, o in rendered.template["Outputs"].items()
    }
    assert outputs["TopicArn"] == rendered.arn("GuardTopic")
    assert outputs["AlarmTopicArn"] == rendered.arn("AlarmTopic")
    assert outputs["ReportsBucketName"] == rendered.physical_name("ReportsBucket")
    assert outputs["TableName"] == rendered.physical_name("GuardTable")
    assert outputs["GuardQueueUrl"] == rendered.render({"Ref": "GuardQueue"})
    assert outputs["TrivyReportEventSource"] == "ecr-guard.ci"
    assert outputs["TrivyReportEventDetailType"] == "Trivy Report Uploaded"
    assert outputs["ReportKeyLayout"] == "trivy/<repository>/<digest>.json"
    assert rendered.template["Outputs"]["SlackDLQUrl"]["Condition"] == "HasChatNotifier"


@pytest.mark.parametrize(
    "parameters",
    [
        {},
        {"NotificationEmail": "a@example.com", "PolicyParameterName": "/p", "VerifiedTag": "ok"},
        WITH_CHAT,
    ],
)
def test_every_reference_in_the_template_resolves(
    renderer_for: Callable[..., Renderer], parameters: dict[str, str]
) -> None:
    renderer = renderer_for(**parameters)
    for part in ("Resources", "Outputs", "Globals"):
        assert renderer.render(renderer.template[part])
