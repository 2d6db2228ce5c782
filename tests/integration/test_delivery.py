"""At-least-once delivery and races: duplicates, a deleted image, a failure half-way through."""

from __future__ import annotations

import copy
import uuid

import pytest
from botocore.exceptions import EndpointConnectionError

from tests.integration.events import adapted, corpus_event, scan_event
from tests.integration.registry import basic_finding, basic_findings, corpus_enhanced_findings
from tests.integration.stack import REGION

REPO = "team/app"
FAILING = basic_findings([basic_finding("CVE-2026-0003", "CRITICAL")])


def quarantine_tag(digest: str) -> str:
    return f"quarantine-sha256-{digest.removeprefix('sha256:')}"


def redelivered(event: dict) -> dict:
    """The same event delivered again (EventBridge retries keep the id; SQS adds nothing)."""
    return copy.deepcopy(event)


def test_second_delivery_neither_acts_nor_notifies(guard, pushed, registry, stack, calls):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    event = scan_event(REPO, digest, ["1.2.3"])
    guard(event)
    assert len(stack.notifications()) == 1
    calls.clear()

    run = guard(redelivered(event))

    assert calls.operations("guard") == {"dynamodb:PutItem": 1}
    [record] = stack.items(pk_prefix="idempotency#")
    assert record["pk"] == "idempotency#ecr-guard-GuardFunction"
    assert record["status"] == "COMPLETED"
    assert record["expiration"] > 0
    assert stack.notifications() == []
    assert run.output.decisions() == []
    [duplicate] = run.output.messages("duplicate delivery")
    assert duplicate["digest"] == digest


def test_replayed_event_with_a_new_id_is_recognised_by_its_business_fact(
    guard, pushed, registry, stack, calls
):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    event = scan_event(REPO, digest, ["1.2.3"])
    guard(event)
    stack.notifications()
    calls.clear()
    replay = redelivered(event) | {"id": str(uuid.uuid4()), "replay-name": "archive-replay"}

    guard(replay)

    assert "ecr:DescribeImageScanFindings" not in calls.operations("guard")
    assert stack.notifications() == []


def test_duplicate_within_one_batch_is_evaluated_once(guard, pushed, registry, stack, calls):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    event = scan_event(REPO, digest, ["1.2.3"])

    run = guard(event, redelivered(event))

    assert run.response == {"batchItemFailures": []}
    assert calls.operations("guard")["ecr:DescribeImageScanFindings"] == 1
    assert len(run.output.decisions()) == 1
    assert len(stack.notifications()) == 1


def test_many_finding_events_for_one_image_cost_one_evaluation(
    *, corpus, guard, pushed, registry, stack, calls
):
    digest = pushed("latest", repository="amazon/amazon-ecs-sample")
    registry.set_findings("amazon/amazon-ecs-sample", digest, corpus_enhanced_findings(corpus))
    sample = corpus_event(corpus, "inspector-events/inspector2-finding-ecr-2021.json")
    events = []
    for number in range(300):
        event = adapted(sample, digest=digest) | {"region": REGION}
        event["detail"]["findingArn"] = f"arn:aws:inspector2:{REGION}:123456789012:finding/{number}"
        events.append(event)

    run = guard(*events)

    assert run.response == {"batchItemFailures": []}
    assert calls.operations("guard")["ecr:DescribeImageScanFindings"] == 1
    assert len(run.output.decisions()) == 1
    assert len(stack.notifications()) == 1


def test_image_deleted_before_evaluation_is_a_warning_and_acknowledged(
    guard, pushed, registry, stack
):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    registry.client.batch_delete_image(repositoryName=REPO, imageIds=[{"imageDigest": digest}])

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    assert run.response == {"batchItemFailures": []}
    [gone] = run.output.messages("image gone")
    assert gone["level"] == "WARNING"
    assert run.output.metrics["ImagesGone"] == 1
    assert stack.notifications() == []


def test_image_deleted_while_being_quarantined_is_a_warning_and_acknowledged(
    guard, pushed, registry, stack, calls
):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    calls.before_next(
        "ecr",
        "BatchGetImage",
        lambda call: registry.client.batch_delete_image(
            repositoryName=REPO, imageIds=[{"imageDigest": digest}]
        ),
    )

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    assert run.response == {"batchItemFailures": []}
    assert run.output.metrics["ImagesGone"] == 1
    assert not registry.exists(REPO, digest)


def _connection_lost(call):
    raise EndpointConnectionError(endpoint_url="https://api.ecr.us-east-1.amazonaws.com")


def test_failure_between_tagging_and_untagging_is_completed_by_redelivery(
    guard, pushed, registry, stack, calls
):
    digest = pushed("1.2.3", "latest")
    registry.set_findings(REPO, digest, FAILING)
    event = scan_event(REPO, digest, ["1.2.3", "latest"])
    calls.before_next("ecr", "BatchDeleteImage", _connection_lost)

    failed = guard(event)

    assert guard.failed_messages(failed) == ["message-0"]
    assert failed.output.metrics["Errors"] == 1
    assert registry.tags(REPO, digest) == {"1.2.3", "latest", quarantine_tag(digest)}
    quarantine = stack.state(REGION, REPO, digest)["quarantine"]
    assert quarantine["removed_tags"] == {"1.2.3", "latest"}
    assert quarantine["complete"] is False
    assert stack.notifications() == []

    completed = guard(redelivered(event))

    assert completed.response == {"batchItemFailures": []}
    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}
    quarantine = stack.state(REGION, REPO, digest)["quarantine"]
    assert quarantine["removed_tags"] == {"1.2.3", "latest"}
    assert quarantine["complete"] is True
    assert len(stack.notifications()) == 1


def test_findings_not_ready_are_retried_and_never_taken_as_clean(guard, pushed, registry, stack):
    digest = pushed("1.2.3")  # never scanned: ECR answers ScanNotFoundException

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    assert guard.failed_messages(run) == ["message-0"]
    assert "decision#ecr-basic" not in stack.state(REGION, REPO, digest)
    assert registry.tags(REPO, digest) == {"1.2.3"}


@pytest.mark.parametrize("bad", ["{}", "[1, 2]", '{"source": "aws.ecr"}'])
def test_bodies_that_are_not_events_are_ignored_and_the_batch_goes_on(guard, pushed, registry, bad):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)

    run = guard(bad, scan_event(REPO, digest, ["1.2.3"]))

    assert run.response == {"batchItemFailures": []}
    assert run.output.metrics["EventsIgnored"] == 1
    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}


def test_malformed_event_of_a_handled_type_fails_alone(guard, pushed, registry):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    broken = scan_event(REPO, "sha256:not-a-digest", ["1.2.3"])

    run = guard(broken, scan_event(REPO, digest, ["1.2.3"]))

    assert guard.failed_messages(run) == ["message-0"]
    [failure] = run.output.messages("record failed")
    assert "image-digest" in failure["exception"]
    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}


def test_event_from_another_account_is_ignored_and_counted(guard, calls):
    run = guard(scan_event(REPO, "sha256:" + "b" * 64, ["1.0"], account="111122223333"))

    [ignored] = run.output.messages("event ignored")
    assert ignored["reason"] == "other-account"
    assert run.output.metrics["EventsIgnored"] == 1
    assert calls.operations("guard") == {}


def test_repository_outside_the_filter_is_ignored(guard, calls, monkeypatch):
    monkeypatch.setenv("ECR_GUARD_REPOSITORY_FILTER", "team/*")

    run = guard(scan_event("sandbox/tool", "sha256:" + "b" * 64, ["1.0"]))

    [ignored] = run.output.messages("event ignored")
    assert ignored["reason"] == "repository-not-guarded"
    assert calls.operations("guard") == {}
