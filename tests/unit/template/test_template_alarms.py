"""template.yaml: every dead-letter queue and every function raises an alarm on the alarm topic."""

from __future__ import annotations

from typing import Any

import pytest

from .cfn import Renderer, of_type, properties


def alarms_by_dimension(rendered: Renderer) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The alarms deployed with the renderer's parameters, by what they watch."""
    alarms = {}
    for logical_id in of_type(rendered.template["Resources"], "AWS::CloudWatch::Alarm"):
        if not rendered.deployed(logical_id):
            continue
        alarm = properties(rendered, logical_id)
        for dimension in alarm["Dimensions"]:
            alarms[(alarm["MetricName"], dimension["Name"], dimension["Value"])] = alarm
    return alarms


@pytest.mark.parametrize("dlq", ["GuardDLQ", "PushRecorderDLQ", "SlackDLQ"])
def test_every_dead_letter_queue_alarms_on_its_first_message(with_chat: Renderer, dlq: str) -> None:
    key = ("ApproximateNumberOfMessagesVisible", "QueueName", with_chat.physical_name(dlq))
    alarm = alarms_by_dimension(with_chat)[key]
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


@pytest.mark.parametrize(
    "function", ["PushRecorderFunction", "GuardFunction", "SlackNotifierFunction"]
)
def test_every_function_alarms_on_errors(with_chat: Renderer, function: str) -> None:
    alarm = alarms_by_dimension(with_chat)[
        ("Errors", "FunctionName", with_chat.physical_name(function))
    ]
    assert alarm["Statistic"] == "Sum"
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


@pytest.mark.parametrize(("chat", "count"), [(False, 5), (True, 7)])
def test_alarms_notify_the_alarm_topic_and_ignore_missing_data(
    rendered: Renderer, with_chat: Renderer, chat: bool, count: int
) -> None:
    renderer = with_chat if chat else rendered
    alarms = alarms_by_dimension(renderer).values()
    assert len(alarms) == count
    for alarm in alarms:
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == [renderer.arn("AlarmTopic")]
        # The key policy lets CloudWatch use the topic key for alarms named <stack>-*.
        assert alarm["AlarmName"].startswith("ecr-guard-")


def test_dead_letter_queues_are_the_ones_with_alarms(with_chat: Renderer) -> None:
    rendered = with_chat
    dead_letter_arns = {properties(rendered, "GuardQueue")["RedrivePolicy"]["deadLetterTargetArn"]}
    for function in ("PushRecorderFunction", "SlackNotifierFunction"):
        invoke_config = properties(rendered, function)["EventInvokeConfig"]
        dead_letter_arns.add(invoke_config["DestinationConfig"]["OnFailure"]["Destination"])
    watched = {
        rendered.arn(queue)
        for queue in of_type(rendered.template["Resources"], "AWS::SQS::Queue")
        if ("ApproximateNumberOfMessagesVisible", "QueueName", rendered.physical_name(queue))
        in alarms_by_dimension(rendered)
    }
    assert watched == dead_letter_arns
