"""Retag quarantine in enforce mode, from the scan event to ECR, the ledger and the topic."""

from __future__ import annotations

from tests.integration.events import scan_event
from tests.integration.registry import basic_finding, basic_findings
from tests.integration.stack import REGION

REPO = "team/app"
FAILING = basic_findings([basic_finding("CVE-2026-0001", "CRITICAL", "openssl")])


def quarantine_tag(digest: str) -> str:
    return f"quarantine-sha256-{digest.removeprefix('sha256:')}"


def test_failing_image_keeps_only_the_quarantine_tag(guard, pushed, registry):
    digest = pushed("1.2.3", "latest")
    registry.set_findings(REPO, digest, FAILING)

    run = guard(scan_event(REPO, digest, ["1.2.3", "latest"]))

    assert run.response == {"batchItemFailures": []}
    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}
    assert run.output.metrics["Quarantines"] == 1
    assert ("Decisions", {"service": "ecr-guard", "verdict": "FAIL"}) in run.output.dimensioned


def test_ledger_holds_the_removed_tags_and_lists_the_image_as_quarantined(
    guard, pushed, registry, stack
):
    digest = pushed("1.2.3", "latest")
    registry.set_findings(REPO, digest, FAILING)

    guard(scan_event(REPO, digest, ["1.2.3", "latest"]))

    state = stack.state(REGION, REPO, digest)
    quarantine = state["quarantine"]
    assert quarantine["status"] == "QUARANTINED"
    assert quarantine["method"] == "retag"
    assert quarantine["removed_tags"] == {"1.2.3", "latest"}
    assert quarantine["quarantine_tag"] == quarantine_tag(digest)
    assert quarantine["complete"] is True
    assert quarantine["rule_ids"] == ["medium-or-worse"]
    assert state["gsi1pk"] == "quarantined"
    assert state["gsi1sk"] == quarantine["at"]
    [action] = stack.history(REGION, REPO, digest, "action#")
    assert action["kind"] == "quarantine"
    assert action["tags_removed"] == ["1.2.3", "latest"]
    [decision] = stack.history(REGION, REPO, digest, "decision#")
    assert decision["verdict"] == "FAIL"
    assert decision["source"] == "ecr-basic"


def test_subscriber_receives_the_decision_with_filterable_attributes(
    guard, pushed, registry, stack
):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    [notification] = stack.notifications()
    assert notification.subject == "[ecr-guard] FAIL team/app:1.2.3 quarantined"
    assert notification.attributes == {
        "verdict": "FAIL",
        "outcome": "FAIL",
        "severity": "CRITICAL",
        "repository": REPO,
        "team": "payments",
        "mode": "enforce",
        "action": "quarantine",
    }
    body = notification.body
    assert (body["type"], body["version"]) == ("ecr-guard.decision", "1")
    assert body["image"]["digest"] == digest
    assert body["image"]["tags"] == ["1.2.3"]
    assert body["action"]["performed"] is True
    assert body["action"]["tags_removed"] == ["1.2.3"]
    assert body["release_command"] == f"ecr-guard release {REPO}@{digest} --region {REGION}"
    assert body["event_id"] == run.output.decisions()[0]["event_id"]
    assert "team/app:1.2.3" in notification.envelope["Message"]


def test_tag_moved_to_another_image_meanwhile_is_left_on_that_image(guard, pushed, registry, calls):
    digest = pushed("1.2.3", "latest")
    registry.set_findings(REPO, digest, FAILING)
    newer = registry.push_image(REPO, seed="newer")

    # Someone pushes `latest` onto another image between the guard's read and its removal.
    calls.before_next(
        "ecr", "BatchDeleteImage", lambda call: registry.push_image(REPO, "latest", seed="newer")
    )
    guard(scan_event(REPO, digest, ["1.2.3", "latest"]))

    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}
    assert registry.digest_of_tag(REPO, "latest") == newer


def test_lifecycle_rule_that_would_expire_quarantined_images_is_reported(
    guard, pushed, registry, stack
):
    digest = pushed("1.2.3")
    registry.set_lifecycle_policy(
        REPO,
        [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": ["quarantine-"],
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 14,
                },
                "action": {"type": "expire"},
            }
        ],
    )
    registry.set_findings(REPO, digest, FAILING)

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    [warning] = run.output.messages("lifecycle policy expires quarantined images")
    assert warning["level"] == "WARNING"
    assert (
        "lifecycle rule 1" in stack.state(REGION, REPO, digest)["quarantine"]["lifecycle_warning"]
    )
    [notification] = stack.notifications()
    assert "lifecycle rule 1" in notification.body["action"]["warning"]


def test_lifecycle_rule_for_other_tags_is_not_reported(guard, pushed, registry, stack):
    digest = pushed("1.2.3")
    registry.set_lifecycle_policy(
        REPO,
        [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": ["pr-*"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 10,
                },
                "action": {"type": "expire"},
            }
        ],
    )
    registry.set_findings(REPO, digest, FAILING)

    guard(scan_event(REPO, digest, ["1.2.3"]))

    assert "lifecycle_warning" not in stack.state(REGION, REPO, digest)["quarantine"]
    [notification] = stack.notifications()
    assert notification.body["action"]["warning"] is None


def test_image_already_quarantined_is_left_alone_and_nobody_is_notified_again(
    guard, pushed, registry, stack, calls
):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    guard(scan_event(REPO, digest, ["1.2.3"]))
    stack.notifications()
    calls.clear()

    run = guard(scan_event(REPO, digest, []))

    writes = {"ecr:PutImage", "ecr:BatchDeleteImage", "sns:Publish"}
    assert writes.isdisjoint(calls.operations("guard"))
    assert stack.notifications() == []
    assert run.output.decisions()[0]["action"] == "quarantine"
    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}


def test_tag_put_back_on_a_quarantined_image_is_removed_again_and_remembered(
    guard, pushed, registry, stack
):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    guard(scan_event(REPO, digest, ["1.2.3"]))
    registry.tag_image(REPO, digest, "hotfix")

    guard(scan_event(REPO, digest, ["hotfix"]))

    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}
    quarantine = stack.state(REGION, REPO, digest)["quarantine"]
    assert quarantine["removed_tags"] == {"1.2.3", "hotfix"}
