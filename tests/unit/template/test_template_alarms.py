"""template.yaml: every dead-letter queue and every function raises an alarm on the alarm topic."""

from __future__ import annotations

from typing import Any

import pytest

from .cfn import Renderer, of_type, properties


def alarms_by_dimension(rendered: Renderer) -> dict[tuple[str, str, str], dict[str, Any]]:
    alarms = {}
    for logical_id in of_type(rendered.template["Resources"], "AWS::CloudWatch::Alarm"):
        alarm = properties(rendered, logical_id)
        for dimension in alarm["Dimensions"]:
            alarms[(alarm["MetricName"], dimension["Name"], dimension["Value"])] = alarm
    return alarms


@pytest.mark.parametrize("dlq", ["GuardDLQ", "PushRecorderDLQ"])
def test_every_dead_letter_queue_alarms_on_its_first_message(rendered: Renderer, dlq: str) -> None:
    key = ("ApproximateNumberOfMessagesVisible", "QueueName", rendered.physical_name(dlq))
    alarm = alarms_by_dimension(rendered)[key]
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


@pytest.mark.parametrize("function", ["PushRecorderFunction", "GuardFunction"])
def test_every_function_alarms_on_errors(rendered: Renderer, function: str) -> None:
    alarm = alarms_by_dimension(rendered)[
        ("Errors", "FunctionName", rendered.physical_name(function))
    ]
    assert alarm["Statistic"] == "Sum"
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_alarms_notify_the_alarm_topic_and_ignore_missing_data(rendered: Renderer) -> None:
    alarms = alarms_by_dimension(rendered).values()
    assert len(alarms) == 5
    for alarm in alarms:
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == [rendered.arn("AlarmTopic")]
        # The key policy lets CloudWatch use the topic key for alarms named <stack>-*.
        assert alarm["AlarmName"].startswith("ecr-guard-")


def test_dead_letter_queues_are_the_ones_with_alarms(rendered: Renderer) -> None:
    dead_letter_arns = {properties(rendered, "GuardQueue")["RedrivePolicy"]["deadLetterTargetArn"]}
    push_recorder = properties(rendered, "PushRecorderFunction")
    dead_letter_arns.add(
        push_recorder["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"]
    )
    watched = {
        rendered.arn(queue)
        for queue in of_type(rendered.template["Resources"], "AWS::SQS::Queue")
        if ("ApproximateNumberOfMessagesVisible", "QueueName", rendered.physical_name(queue))
        in alarms_by_dimension(rendered)
    }
    assert watched == dead_letter_arns
