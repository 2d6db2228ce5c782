"""The template grants exactly what the code calls.

(a) Every call a function makes is allowed by that function's policies: checked after every
integration test (conftest's `granted_calls_only`), and here on a tour of every path.
(b) Every grant is needed: the tour (every AWS call the guard, the push recorder and the Slack
notifier can make) uses each granted action, or the grant is used on the function's behalf (SQS
poller, KMS by SNS). No wildcard action or `Resource: "*"` beyond what AWS defines as one
(kms:GenerateDataKey*).
"""

from __future__ import annotations

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError

from tests.integration.calls import CallRecorder
from tests.integration.conftest import STRICT_POLICY
from tests.integration.events import (
    push_event,
    s3_object_created,
    scan_event,
    trivy_report_uploaded,
)
from tests.integration.functions import GUARD, load_handler
from tests.integration.iam import denied, granted, renderer_for_environment, unused
from tests.integration.notifier import chat_setup, slack, slack_notifier, sns_event
from tests.integration.registry import OCI_INDEX, basic_finding, basic_findings, index_manifest
from tests.integration.stack import ACCOUNT, BUCKET, REGION

pytestmark = pytest.mark.corpus
__all__ = ["chat_setup", "slack", "slack_notifier"]  # fixtures of the notifier's part

REPO = "team/app"
POLICY_PARAMETER = "/ecr-guard/policy"
FAILING = basic_findings([basic_finding("CVE-2026-0006", "CRITICAL")])
CLEAN = basic_findings([])


def _lost(call):
    raise EndpointConnectionError(endpoint_url="https://api.ecr.us-east-1.amazonaws.com")


@pytest.fixture
def tour(
    *, corpus, guard, push_recorder, registry, stack, calls, monkeypatch, chat_setup, slack_notifier
) -> CallRecorder:
    """Every path of the three functions, with the policy read from its SSM parameter, and
    Slack and Chatbot delivery on."""
    boto3.client("ssm", region_name=REGION).put_parameter(
        Name=POLICY_PARAMETER, Value=STRICT_POLICY, Type="String"
    )
    monkeypatch.setenv("ECR_GUARD_POLICY_PARAMETER", POLICY_PARAMETER)
    monkeypatch.setenv("ECR_GUARD_VERIFIED_TAG", "verified")
    registry.create_repository(REPO)

    # Push recorder: an image, and an index (children recorded, evaluation requested).
    amd64 = registry.push_image(REPO, seed="amd64")
    arm64 = registry.push_image(REPO, seed="arm64")
    index = registry.put(
        REPO, index_manifest([(amd64, "linux/amd64"), (arm64, "linux/arm64")]), OCI_INDEX, "2.0"
    )
    failing = registry.push_image(REPO, "1.0", seed="failing")
    for digest, tag in ((amd64, None), (arm64, None), (index, "2.0"), (failing, "1.0")):
        push_recorder(push_event(REPO, digest, tag))

    # Guard, retag: a failure half-way (idempotency record deleted), then the quarantine,
    # a release on the next PASS, and the verified tag.
    registry.set_findings(REPO, failing, FAILING)
    calls.before_next("ecr", "BatchDeleteImage", _lost)
    event = scan_event(REPO, failing, ["1.0"])
    guard(event)
    guard(event)
    registry.set_findings(REPO, failing, CLEAN)
    guard(scan_event(REPO, failing, ["1.0"]))
    guard(*stack.queued_requests())

    # Trivy reports, by S3 event (current object) and by CI event (a version).
    s3 = boto3.client("s3", region_name=REGION)
    report = (corpus / "trivy" / "golden-alpine-39-no-results-key.json").read_bytes()
    key = f"trivy/{REPO}/{amd64}.json"
    version = s3.put_object(Bucket=BUCKET, Key=key, Body=report)["VersionId"]
    guard(s3_object_created(BUCKET, key))
    guard(trivy_report_uploaded(BUCKET, key, REPO, arm64, version_id=version))

    # Archive: moto has no UpdateImageStorageClass, so moto's answer is replaced for that call.
    monkeypatch.setenv("ECR_GUARD_QUARANTINE_METHOD", "archive")
    guard.module = load_handler(GUARD)
    client = guard.module.runtime(ACCOUNT).clients.ecr(REGION)
    client.meta.events.register_first(
        "before-call.ecr.UpdateImageStorageClass", _archived, unique_id="archived"
    )
    archived = registry.push_image(REPO, "3.0", seed="archived")
    registry.set_findings(REPO, archived, FAILING)
    guard(scan_event(REPO, archived, ["3.0"]))

    # The notifier: the webhook secret, the webhook on 127.0.0.1, the Chatbot topic.
    notified = slack_notifier(sns_event(*stack.notifications()))
    assert notified.error is None
    return calls


def _archived(**_):
    return AWSResponse("https://api.ecr.us-east-1.amazonaws.com", 200, {}, None), {
        "imageStatus": "ARCHIVED"
    }


def test_every_call_of_the_tour_is_granted(tour):
    assert denied(tour.calls, renderer_for_environment()) == []


def test_every_grant_is_used(tour):
    leftover = unused(tour.calls, renderer_for_environment())
    assert leftover == [], "\n".join(map(str, leftover))


def test_the_tour_took_every_path(tour):
    operations = tour.operations()
    assert {
        "ecr:UpdateImageStorageClass",
        "ecr:PutImage",
        "ecr:BatchDeleteImage",
        "s3:GetObject",
        "ssm:GetParameter",
        "dynamodb:DeleteItem",
        "sqs:SendMessage",
        "sns:Publish",
        "secretsmanager:GetSecretValue",
    } <= set(operations)
    notifier = tour.operations("slack_notifier")
    assert set(notifier) == {"secretsmanager:GetSecretValue", "sns:Publish"}
    assert notifier["secretsmanager:GetSecretValue"] == 1  # cached for five minutes
    assert notifier["sns:Publish"] > 1  # one Chatbot message per decision
    versioned = [c for c in tour.calls if c.operation == "GetObject" and c.params.get("VersionId")]
    assert len(versioned) == 1


def test_no_grant_has_a_wildcard_action_or_resource_beyond_kms_data_keys(stack):
    renderer = renderer_for_environment()
    wildcards = [
        (function, grant)
        for function in ("GuardFunction", "PushRecorderFunction")
        for grant in granted(renderer, function)
        if grant[1] == "*" or "*" in grant[0]
    ]
    assert wildcards == [("GuardFunction", ("kms:GenerateDataKey*", renderer.arn("GuardKey")))]
