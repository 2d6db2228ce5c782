"""Only what changed: a decision is published when it is news for its image, or for a new digest,
for its repository and tag; which verdicts notify is configurable; quarantines and releases are
always announced."""

from __future__ import annotations

from tests.integration.events import push_event, scan_event
from tests.integration.registry import basic_finding, basic_findings
from tests.integration.stack import ACCOUNT, REGION

REPO = "team/app"
CVE = basic_finding("CVE-2026-0201", "CRITICAL")
NEW_CVE = basic_finding("CVE-2026-0202", "HIGH", package="zlib")
FAILING = basic_findings([CVE])
MORE_FAILING = basic_findings([CVE, NEW_CVE])
LOW_ONLY = basic_findings([basic_finding("CVE-2026-0203", "LOW")])
CLEAN = basic_findings([])


def tag_record(stack, tag: str) -> dict:
    [item] = [
        item
        for item in stack.items(pk_prefix="tag#")
        if item["pk"] == f"tag#{ACCOUNT}#{REGION}#{REPO}#{tag}"
    ]
    return item


def decide(guard, registry, digest: str, findings: dict, tags: list[str]) -> None:
    registry.set_findings(REPO, digest, findings)
    guard(scan_event(REPO, digest, tags))


def test_first_failure_is_published_as_the_first_decision_for_its_tag(
    guard, pushed, registry, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    digest = pushed("1.2.3")

    decide(guard, registry, digest, FAILING, ["1.2.3"])

    [notification] = stack.notifications()
    changes = notification.body["changes"]
    assert changes["baseline"] == "tag"
    assert changes["tag"] == "1.2.3"
    assert changes["reasons"] == ["first-decision"]
    assert changes["previous_verdict"] is None
    record = tag_record(stack, "1.2.3")
    assert record["digest"] == digest
    assert record["decision"]["failing_ids"] == ["CVE-2026-0201", "medium-or-worse"]


def test_the_same_decision_again_is_quiet_and_costs_no_extra_call(
    *, guard, pushed, registry, stack, monkeypatch, calls
):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    digest = pushed("1.2.3")
    decide(guard, registry, digest, FAILING, ["1.2.3"])
    stack.notifications()
    calls.clear()

    decide(guard, registry, digest, FAILING, ["1.2.3"])

    assert stack.notifications() == []
    operations = calls.operations("guard")
    assert operations["dynamodb:GetItem"] == 1  # the image's state, no tag record
    assert "sns:Publish" not in operations


def test_a_new_digest_failing_the_same_way_under_the_same_tag_is_quiet(
    guard, pushed, registry, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    first = pushed("1.2.3", seed="first")
    decide(guard, registry, first, FAILING, ["1.2.3"])
    stack.notifications()

    rebuilt = pushed("1.2.3", seed="rebuilt")
    decide(guard, registry, rebuilt, FAILING, ["1.2.3"])

    assert stack.notifications() == []
    assert tag_record(stack, "1.2.3")["digest"] == rebuilt


def test_a_new_failing_finding_under_the_same_tag_says_what_is_new(
    guard, pushed, registry, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    first = pushed("1.2.3", seed="first")
    decide(guard, registry, first, FAILING, ["1.2.3"])
    stack.notifications()

    rebuilt = pushed("1.2.3", seed="rebuilt")
    decide(guard, registry, rebuilt, MORE_FAILING, ["1.2.3"])

    [notification] = stack.notifications()
    changes = notification.body["changes"]
    assert changes["baseline"] == "tag"
    assert changes["reasons"] == ["new-failing-findings"]
    assert changes["new_failing"] == ["CVE-2026-0202"]
    assert changes["previous_digest"] == first
    assert changes["previous_verdict"] == "FAIL"
    mail = " ".join(notification.envelope["Message"].split())
    assert '"new_failing_total":1' in mail


def test_a_regression_after_a_clean_rebuild_under_the_same_tag_is_published_again(
    guard, pushed, registry, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    first = pushed("1.2.3", seed="first")
    decide(guard, registry, first, FAILING, ["1.2.3"])
    clean = pushed("1.2.3", seed="clean")
    decide(guard, registry, clean, CLEAN, ["1.2.3"])
    assert len(stack.notifications()) == 1  # the first failure; the clean rebuild is quiet
    assert tag_record(stack, "1.2.3")["decision"]["verdict"] == "PASS"

    regressed = pushed("1.2.3", seed="regressed")
    decide(guard, registry, regressed, FAILING, ["1.2.3"])

    [notification] = stack.notifications()
    changes = notification.body["changes"]
    assert changes["reasons"] == ["verdict-changed", "new-failing-findings"]
    assert changes["previous_digest"] == clean
    assert changes["previous_verdict"] == "PASS"


def test_pass_after_fail_is_quiet_when_pass_does_not_notify(
    guard, pushed, registry, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    digest = pushed("1.2.3")
    decide(guard, registry, digest, FAILING, ["1.2.3"])
    stack.notifications()

    decide(guard, registry, digest, CLEAN, ["1.2.3"])

    assert stack.notifications() == []
    state = stack.state(REGION, REPO, digest)
    assert state["last_settled"]["verdict"] == "PASS"
    assert state["last_settled"]["notified"] is False


def test_pass_after_fail_is_published_when_configured(guard, pushed, registry, stack, monkeypatch):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    monkeypatch.setenv("ECR_GUARD_NOTIFY_ON", "FAIL,WARN,UNKNOWN,PASS")
    digest = pushed("1.2.3")
    decide(guard, registry, digest, FAILING, ["1.2.3"])
    stack.notifications()

    decide(guard, registry, digest, CLEAN, ["1.2.3"])

    [notification] = stack.notifications()
    assert notification.attributes["verdict"] == "PASS"
    changes = notification.body["changes"]
    assert changes["baseline"] == "image"
    assert changes["reasons"] == ["verdict-changed"]
    assert changes["no_longer_failing"] == ["CVE-2026-0201", "medium-or-worse"]


def test_a_release_is_always_published(guard, pushed, registry, stack):
    digest = pushed("1.2.3")
    decide(guard, registry, digest, FAILING, ["1.2.3"])
    stack.notifications()

    decide(guard, registry, digest, CLEAN, ["1.2.3"])

    [notification] = stack.notifications()
    assert notification.attributes["action"] == "release"
    assert notification.body["changes"]["reasons"] == ["action", "verdict-changed"]


def test_quarantining_a_new_digest_that_fails_the_same_way_is_announced(
    guard, pushed, registry, stack
):
    first = pushed("1.2.3", seed="first")
    decide(guard, registry, first, FAILING, ["1.2.3"])
    stack.notifications()

    rebuilt = pushed("1.2.3", seed="rebuilt")
    decide(guard, registry, rebuilt, FAILING, ["1.2.3"])

    [notification] = stack.notifications()
    assert notification.subject == "[ecr-guard] FAIL team/app:1.2.3 quarantined"
    assert notification.body["changes"]["reasons"] == ["action"]
    assert notification.body["changes"]["previous_digest"] == first


def test_warnings_stay_quiet_when_only_failures_notify(guard, pushed, registry, stack, monkeypatch):
    monkeypatch.setenv("ECR_GUARD_NOTIFY_ON", "FAIL")
    digest = pushed("1.2.3")

    decide(guard, registry, digest, LOW_ONLY, ["1.2.3"])

    assert stack.notifications() == []
    assert stack.state(REGION, REPO, digest)["last_settled"]["verdict"] == "WARN"


def test_an_older_digest_decided_again_does_not_take_over_its_tag(
    guard, pushed, registry, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    first = pushed("1.2.3", "build-1", seed="first")
    decide(guard, registry, first, FAILING, ["1.2.3", "build-1"])
    rebuilt = pushed("1.2.3", "build-2", seed="rebuilt")
    decide(guard, registry, rebuilt, FAILING, ["1.2.3", "build-2"])
    stack.notifications()

    decide(guard, registry, first, MORE_FAILING, ["build-1"])

    [notification] = stack.notifications()
    assert notification.body["image"]["digest"] == first
    assert notification.body["changes"]["baseline"] == "image"
    assert notification.body["changes"]["new_failing"] == ["CVE-2026-0202"]
    assert tag_record(stack, "1.2.3")["digest"] == rebuilt


def test_the_guards_own_quarantine_tag_is_neither_shown_nor_compared_on(
    *, guard, pushed, push_recorder, registry, stack
):
    digest = pushed("v2", seed="first")
    decide(guard, registry, digest, FAILING, ["v2"])
    stack.notifications()
    # ECR reports the guard's own PutImage as a push, which the push recorder records.
    quarantine_tag = f"quarantine-sha256-{digest.removeprefix('sha256:')}"
    push_recorder(push_event(REPO, digest, quarantine_tag))

    decide(guard, registry, digest, CLEAN, [quarantine_tag])

    [released] = stack.notifications()
    assert released.attributes["action"] == "release"
    assert released.body["image"]["tags"] == ["v2"]
    assert {item["tag"] for item in stack.items(pk_prefix="tag#")} == {"v2"}
