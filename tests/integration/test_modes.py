"""Audit mode, rule set modes, UNKNOWN handling, the verified tag and reading only what the
policy needs."""

from __future__ import annotations

from tests.integration.conftest import STRICT_POLICY
from tests.integration.events import scan_event
from tests.integration.registry import basic_finding, basic_findings
from tests.integration.stack import REGION

REPO = "team/app"
FAILING = basic_findings([basic_finding("CVE-2026-0004", "CRITICAL")])
CLEAN = basic_findings([])
UNSUPPORTED = basic_findings(
    [], status="FAILED", description="UnsupportedImageError: The operating system is not supported"
)


def quarantine_tag(digest: str) -> str:
    return f"quarantine-sha256-{digest.removeprefix('sha256:')}"


def test_audit_mode_changes_nothing_and_says_what_it_would_do(
    *, guard, pushed, registry, stack, monkeypatch, calls
):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    assert registry.tags(REPO, digest) == {"1.2.3"}
    assert {"ecr:PutImage", "ecr:BatchDeleteImage"}.isdisjoint(calls.operations("guard"))
    assert "quarantine" not in stack.state(REGION, REPO, digest)
    [action] = stack.history(REGION, REPO, digest, "action#")
    assert action["kind"] == "quarantine"
    assert "performed" not in action  # False is the default, left out
    assert action["tags_removed"] == ["1.2.3"]
    [notification] = stack.notifications()
    assert notification.subject == "[ecr-guard] FAIL team/app:1.2.3 would be quarantined (audit)"
    assert notification.attributes["mode"] == "audit"
    assert notification.body["action"]["performed"] is False
    assert notification.body["action"]["tags_removed"] == ["1.2.3"]
    assert notification.body["release_command"] is None
    assert run.output.decisions()[0]["mode"] == "audit"


def test_audit_mode_repeats_quietly(guard, pushed, registry, stack, monkeypatch):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    guard(scan_event(REPO, digest, ["1.2.3"]))
    stack.notifications()

    guard(scan_event(REPO, digest, ["1.2.3"]))

    assert stack.notifications() == []


def test_rule_set_in_audit_mode_overrides_the_enforcing_deployment(
    guard, pushed, registry, stack, set_policy
):
    set_policy(
        STRICT_POLICY
        + """\
rule_sets:
  - name: sandbox
    match:
      repositories: ["sandbox/*"]
    mode: audit
    rules:
      - id: critical-only
        verdict: fail
        severity: CRITICAL
"""
    )
    digest = pushed("dev", repository="sandbox/tool")
    registry.set_findings("sandbox/tool", digest, FAILING)

    run = guard(scan_event("sandbox/tool", digest, ["dev"]))

    assert registry.tags("sandbox/tool", digest) == {"dev"}
    [decision] = run.output.decisions()
    assert decision["mode"] == "audit"
    assert decision["rule_ids"] == ["critical-only"]
    [notification] = stack.notifications()
    assert notification.body["rule_set"] == "sandbox"


def test_failed_scan_is_unknown_and_quarantined_when_the_policy_says_fail(
    guard, pushed, registry, stack
):
    digest = pushed("scratch")
    registry.set_findings(REPO, digest, UNSUPPORTED)

    run = guard(scan_event(REPO, digest, ["scratch"], status="FAILED"))

    [decision] = run.output.decisions()
    assert (decision["verdict"], decision["outcome"]) == ("UNKNOWN", "FAIL")
    assert decision["rule_ids"] == ["no-usable-scan"]
    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}
    [notification] = stack.notifications()
    assert notification.subject.startswith("[ecr-guard] UNKNOWN as FAIL team/app:scratch")


def test_failed_scan_is_a_warning_when_the_policy_says_warn(
    guard, pushed, registry, stack, set_policy
):
    set_policy(STRICT_POLICY.replace("unknown: fail", "unknown: warn"))
    digest = pushed("scratch")
    registry.set_findings(REPO, digest, UNSUPPORTED)

    run = guard(scan_event(REPO, digest, ["scratch"], status="FAILED"))

    [decision] = run.output.decisions()
    assert (decision["verdict"], decision["outcome"]) == ("UNKNOWN", "WARN")
    assert registry.tags(REPO, digest) == {"scratch"}
    [notification] = stack.notifications()
    assert notification.attributes["outcome"] == "WARN"
    assert notification.attributes["action"] == "none"


def test_passing_image_gets_the_verified_tag(guard, pushed, registry, stack, monkeypatch):
    monkeypatch.setenv("ECR_GUARD_VERIFIED_TAG", "verified")
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, CLEAN)

    guard(scan_event(REPO, digest, ["1.2.3"]))

    assert registry.tags(REPO, digest) == {"1.2.3", "verified"}
    assert stack.state(REGION, REPO, digest)["verified_tag"] == "verified"
    assert stack.notifications() == []


def test_verified_tag_is_not_written_again_on_the_next_pass(
    guard, pushed, registry, monkeypatch, calls
):
    monkeypatch.setenv("ECR_GUARD_VERIFIED_TAG", "verified")
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, CLEAN)
    guard(scan_event(REPO, digest, ["1.2.3"]))
    calls.clear()

    guard(scan_event(REPO, digest, ["1.2.3"]))

    assert "ecr:PutImage" not in calls.operations("guard")


def test_verified_tag_moves_to_the_newest_passing_image(guard, pushed, registry, monkeypatch):
    monkeypatch.setenv("ECR_GUARD_VERIFIED_TAG", "verified")
    first = pushed("1.0", seed="first")
    second = pushed("2.0", seed="second")
    registry.set_findings(REPO, first, CLEAN)
    registry.set_findings(REPO, second, CLEAN)

    guard(scan_event(REPO, first, ["1.0"]))
    guard(scan_event(REPO, second, ["2.0"]))

    assert registry.digest_of_tag(REPO, "verified") == second


def test_passing_image_costs_only_the_reads(guard, pushed, registry, calls):
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, CLEAN)
    calls.clear()

    guard(scan_event(REPO, digest, ["1.2.3"]))

    assert calls.operations("guard") == {
        "ecr:DescribeImageScanFindings": 1,
        "dynamodb:GetItem": 1,
        "dynamodb:PutItem": 3,  # idempotency record, decision history, the tag's record
        "dynamodb:UpdateItem": 2,  # decision, idempotency record completed
    }


def test_failing_image_costs_one_manifest_read_one_tag_write_one_removal_one_publish(
    guard, pushed, registry, calls
):
    digest = pushed("1.2.3", "latest")
    registry.set_findings(REPO, digest, FAILING)
    calls.clear()

    guard(scan_event(REPO, digest, ["1.2.3", "latest"]))

    operations = calls.operations("guard")
    ecr_and_sns = {name: count for name, count in operations.items() if "dynamodb" not in name}
    assert ecr_and_sns == {
        "ecr:DescribeImageScanFindings": 1,
        "ecr:DescribeImages": 1,  # current tags: the ledger may be stale
        "ecr:GetLifecyclePolicy": 1,  # once per repository per cold start
        "ecr:BatchGetImage": 1,
        "ecr:PutImage": 1,
        "ecr:BatchDeleteImage": 1,
        "ecr:ListTagsForResource": 1,  # once per repository per cold start
        "sns:Publish": 1,
    }


def test_repository_reads_are_made_once_per_cold_start(guard, pushed, registry, calls):
    first = pushed("1.0", seed="first")
    second = pushed("2.0", seed="second")
    registry.set_findings(REPO, first, FAILING)
    registry.set_findings(REPO, second, FAILING)
    calls.clear()

    guard(scan_event(REPO, first, ["1.0"]))
    guard(scan_event(REPO, second, ["2.0"]))

    operations = calls.operations("guard")
    assert operations["ecr:ListTagsForResource"] == 1
    assert operations["ecr:GetLifecyclePolicy"] == 1
    assert operations["ecr:PutImage"] == 2


def test_image_size_is_read_only_when_the_policy_limits_it(
    guard, pushed, registry, set_policy, calls
):
    set_policy(STRICT_POLICY + "  max_size: {max: 1KiB, verdict: fail}\n")
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, CLEAN)
    calls.clear()

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    assert calls.operations("guard")["ecr:DescribeImages"] == 1  # one answer: size and tags
    [decision] = run.output.decisions()
    assert decision["verdict"] == "FAIL"
    assert decision["rule_ids"] == ["image-size"]
