"""What the simulator creates in the emulator is what template.yaml creates, named after the
template's logical ids."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from ecr_guard.sim.emulator import emulated_aws
from ecr_guard.sim.stack import (
    CAPTURE_QUEUE,
    TEMPLATE_RESOURCE_TYPES,
    Emulation,
    create_stack,
    physical_name,
)

from tests.conftest import REPO_ROOT
from tests.unit.template.cfn import Renderer, load_template

REGION = "us-east-1"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(REPO_ROOT / "template.yaml")


def created_by_template(template: dict[str, Any]) -> set[str]:
    """Resources of a type the simulator creates, deployed with default parameters."""
    return {
        name
        for name, resource in template["Resources"].items()
        if TEMPLATE_RESOURCE_TYPES[resource["Type"]] is Emulation.CREATED
        and Renderer(template).deployed(name)
    }


def test_the_simulator_creates_the_templates_resources_by_logical_id(template):
    with emulated_aws(REGION):
        stack = create_stack(REGION)

        assert set(stack.resources) == created_by_template(template)
        assert boto3.client("dynamodb").list_tables()["TableNames"] == [stack.table]
        assert boto3.client("s3").list_buckets()["Buckets"][0]["Name"] == stack.bucket
        queues = boto3.client("sqs").list_queues()["QueueUrls"]
        names = sorted(url.rsplit("/", 1)[-1] for url in queues)
        expected = [
            physical_name(name)
            for name in created_by_template(template) | {CAPTURE_QUEUE}
            if name.endswith(("Queue", "DLQ")) or name == CAPTURE_QUEUE
        ]
        assert names == sorted(expected)


def test_the_capture_queue_is_the_topics_only_subscriber():
    with emulated_aws(REGION):
        stack = create_stack(REGION)
        subscriptions = boto3.client("sns").list_subscriptions_by_topic(TopicArn=stack.topic_arn)[
            "Subscriptions"
        ]

        assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [
            ("sqs", stack.queue_arn(CAPTURE_QUEUE))
        ]
