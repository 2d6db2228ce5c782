"""Every published ECR and Inspector event, from the event to the final state in moto.

Samples whose documentation digests name no real image are adapted in memory to name an image
pushed for the test; everything else is the published event as it is.
"""

from __future__ import annotations

import pytest

from tests.integration.events import adapted, corpus_event, push_event, scan_event
from tests.integration.registry import (
    OCI_MANIFEST,
    Registry,
    corpus_basic_findings,
    corpus_enhanced_findings,
    signature_manifest,
)
from tests.integration.stack import ACCOUNT, REGION

pytestmark = pytest.mark.corpus

IGNORED_BY_GUARD = [
    ("ecr-events/referrer-action-restore.json", "referrer-action"),
    ("ecr-events/replication-action-success.json", "unhandled-detail-type"),
    ("ecr-events/replication-action-failed.json", "unhandled-detail-type"),
    ("ecr-events/scan-resource-change-frequency.json", "unhandled-detail-type"),
    ("inspector-events/inspector2-coverage-ec2.json", "unhandled-detail-type"),
    ("inspector-events/inspector2-scan-lambda-initial-negative.json", "not-an-ecr-image"),
]
IGNORED_BY_PUSH_RECORDER = [
    ("ecr-events/image-action-delete-success.json", "action-not-push"),
    ("ecr-events/image-action-restore-update-storage-class.json", "action-not-push"),
    ("ecr-events/referrer-action-restore.json", "referrer-action"),
]


@pytest.mark.parametrize(("sample", "reason"), IGNORED_BY_GUARD)
def test_guard_ignores_and_counts_events_it_does_not_handle(corpus, guard, calls, sample, reason):
    run = guard(corpus_event(corpus, sample))

    assert run.response == {"batchItemFailures": []}
    [ignored] = run.output.messages("event ignored")
    assert ignored["reason"] == reason
    assert run.output.metrics["EventsIgnored"] == 1
    assert calls.of("guard") == []


def test_guard_ignores_the_published_pull_through_cache_sample_that_is_not_json(
    corpus, guard, calls
):
    text = (
        corpus / "ecr-events" / "pull-through-cache-action.published-invalid-json.txt"
    ).read_text()

    run = guard(text)

    assert run.response == {"batchItemFailures": []}
    [ignored] = run.output.messages("event ignored")
    assert ignored["reason"] == "not-json"
    assert run.output.metrics["EventsIgnored"] == 1
    assert calls.of("guard") == []


@pytest.mark.parametrize(("sample", "reason"), IGNORED_BY_PUSH_RECORDER)
def test_push_recorder_ignores_actions_other_than_push(
    *, corpus, push_recorder, calls, stack, sample, reason
):
    run = push_recorder(corpus_event(corpus, sample))

    assert run.response["recorded"] is False
    assert run.response["ignored"] == reason
    assert run.output.metrics["EventsIgnored"] == 1
    assert calls.of("push_recorder") == []
    assert stack.items() == []


def test_push_recorder_records_the_published_push(corpus, push_recorder, stack):
    sample = corpus_event(corpus, "ecr-events/image-action-push-success.json")
    registry = Registry(sample["region"])
    registry.create_repository("my-repository-name")
    digest = registry.push_image("my-repository-name", "latest")

    run = push_recorder(adapted(sample, digest=digest))

    assert run.response == {
        "recorded": True,
        "kind": "image",
        "children": 0,
        "queued": False,
        "ignored": None,
    }
    state = stack.state("us-west-2", "my-repository-name", digest)
    assert state is not None
    assert state["tags_seen"] == {"latest"}
    assert state["kind"] == "image"
    assert state["media_type"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert state["pushed_at"] == "2019-11-16T01:54:34Z"


def test_published_basic_scan_quarantines_the_image_pushed_as_latest(
    corpus, guard, push_recorder, stack
):
    sample = corpus_event(corpus, "ecr-events/image-scan-basic-complete-docs.json")
    registry = Registry(sample["region"])
    registry.create_repository("my-repository-name")
    digest = registry.push_image("my-repository-name", "latest")
    push_recorder(push_event("my-repository-name", digest, "latest", region=sample["region"]))
    registry.set_findings("my-repository-name", digest, corpus_basic_findings(corpus))

    run = guard(adapted(sample, digest=digest))

    assert run.response == {"batchItemFailures": []}
    assert registry.tags("my-repository-name", digest) == {
        f"quarantine-sha256-{digest.removeprefix('sha256:')}"
    }
    [decision] = run.output.decisions()
    assert decision["verdict"] == "FAIL"
    assert decision["rule_ids"] == ["medium-or-worse"]
    assert decision["source"] == "ecr-basic"
    assert decision["correlation_id"] == decision["event_id"]
    [notification] = stack.notifications()
    assert notification.attributes["verdict"] == "FAIL"
    assert notification.body["rules"][0]["findings"][0]["id"] == "CVE-2019-5188"
    assert notification.body["rules"][0]["findings"][0]["package"] == "e2fsprogs"


def test_published_inspector_scan_names_the_repository_by_arn(corpus, guard, push_recorder, stack):
    sample = corpus_event(corpus, "inspector-events/inspector2-scan-ecr-initial-2021.json")
    registry = Registry(sample["region"])
    repository = "amazon/amazon-ecs-sample"
    registry.create_repository(repository, team="containers")
    digest = registry.push_image(repository, "latest")
    registry.set_findings(repository, digest, corpus_enhanced_findings(corpus))

    run = guard(adapted(sample, digest=digest))

    assert run.response == {"batchItemFailures": []}
    assert registry.tags(repository, digest) == {
        f"quarantine-sha256-{digest.removeprefix('sha256:')}"
    }
    state = stack.state("us-east-2", repository, digest)
    assert state["quarantine"]["removed_tags"] == {"latest"}
    assert state["decision#ecr-enhanced"]["verdict"] == "FAIL"
    [notification] = stack.notifications()
    assert notification.attributes == {
        "verdict": "FAIL",
        "outcome": "FAIL",
        "severity": "MEDIUM",
        "repository": repository,
        "team": "containers",
        "mode": "enforce",
        "action": "quarantine",
    }
    assert notification.body["image"]["account"] == ACCOUNT
    assert notification.body["image"]["region"] == "us-east-2"


@pytest.mark.parametrize(
    "sample",
    [
        "inspector-events/inspector2-finding-ecr-2021.json",
        "inspector-events/inspector2-finding-ecr-2021-current-page.json",
    ],
)
def test_published_inspector_finding_reads_every_finding_of_the_image(
    corpus, guard, stack, calls, sample
):
    event = corpus_event(corpus, sample)
    registry = Registry(event["region"])
    repository = "amazon/amazon-ecs-sample"
    registry.create_repository(repository)
    digest = registry.push_image(repository, "latest")
    registry.set_findings(repository, digest, corpus_enhanced_findings(corpus, copies=3))

    run = guard(adapted(event, digest=digest))

    assert run.response == {"batchItemFailures": []}
    assert calls.operations("guard")["ecr:DescribeImageScanFindings"] == 1
    state = stack.state("us-east-2", repository, digest)
    decision = state["decision#ecr-enhanced"]
    assert decision["verdict"] == "FAIL"
    assert set(decision["failing_ids"]) == {
        "CVE-2021-10000",
        "CVE-2021-10001",
        "CVE-2021-10002",
        "medium-or-worse",
    }
    assert registry.tags(repository, digest) == {
        f"quarantine-sha256-{digest.removeprefix('sha256:')}"
    }


def test_published_signature_is_recorded_as_an_artifact_and_never_judged(
    *, corpus, guard, push_recorder, registry, stack, calls
):
    registry.create_repository("team/app")
    image = registry.push_image("team/app", "1.0")
    signature = registry.put("team/app", signature_manifest(corpus, image), OCI_MANIFEST)
    push_recorder(push_event("team/app", signature))
    calls.clear()

    run = guard(scan_event("team/app", signature))

    assert stack.state(REGION, "team/app", signature)["kind"] == "artifact"
    [ignored] = run.output.messages("event ignored")
    assert ignored["reason"] == "artifact-is-not-judged"
    assert "ecr:DescribeImageScanFindings" not in calls.operations("guard")
    assert stack.notifications() == []
