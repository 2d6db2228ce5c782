"""`ecr-guard simulate --json`: per step, the decision, the actions, every image's tags and
storage class, the notifications captured and the ledger records."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.support import TEST_SCENARIOS, bundled, simulate_json


@pytest.fixture(scope="module")
def story() -> list[dict[str, Any]]:
    with bundled() as folder:
        code, document = simulate_json(folder / "01-critical-cve.yaml")
    assert (code, document["version"], document["passed"]) == (0, "1", True)
    steps: list[dict[str, Any]] = document["scenarios"][0]["steps"]
    return steps


@pytest.fixture(scope="module")
def archive() -> list[dict[str, Any]]:
    code, document = simulate_json(TEST_SCENARIOS / "archive-release.yaml")
    assert code == 0
    steps: list[dict[str, Any]] = document["scenarios"][0]["steps"]
    return steps


def image(step: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(view for view in step["images"] if view["image"] == name)
    return found


def quarantine_tag(step: dict[str, Any], name: str) -> str:
    return "quarantine-sha256-" + image(step, name)["digest"].removeprefix("sha256:")


def test_audit_step_decides_fail_and_records_what_it_would_do(story):
    step = story[1]

    (decision,) = step["decisions"]
    assert (decision["verdict"], decision["mode"], decision["source"]) == (
        "FAIL",
        "audit",
        "ecr-basic",
    )
    assert (decision["action"], decision["performed"]) == ("quarantine", False)
    assert decision["rule_ids"] == ["critical-vulnerabilities"]
    assert "CVE-2022-37434 in zlib 1.2.12-r1" in decision["summary"]
    (action,) = step["actions"]
    assert (action["kind"], action.get("performed", False)) == ("quarantine", False)
    assert action["tags_removed"] == ["1.4.0-hotfix"]
    assert image(step, "hotfix")["tags"] == ["1.4.0-hotfix"]


def test_audit_step_publishes_one_message_with_its_attributes_and_email(story):
    (message,) = story[1]["notifications"]

    assert message["subject"].startswith("[ecr-guard] FAIL team/payments-api:1.4.0-hotfix")
    assert {key: message["attributes"][key] for key in ("verdict", "mode", "team")} == {
        "verdict": "FAIL",
        "mode": "audit",
        "team": "payments",
    }
    assert (message["body"]["type"], message["body"]["verdict"]) == ("ecr-guard.decision", "FAIL")
    assert "CVE-2022-37434" in message["email"]


def test_audit_step_writes_the_decision_to_the_ledger(story):
    ledger = story[1]["ledger"]

    history = [item for item in ledger if item["sk"].startswith("decision#")]
    state = next(item for item in ledger if item["sk"] == "state")
    assert [(item["source"], item["verdict"], item["at"]) for item in history] == [
        ("ecr-basic", "FAIL", "2022-08-22T09:00:02Z")
    ]
    assert state["decision#ecr-basic"]["outcome"] == "FAIL"
    assert state.get("quarantine") is None


def test_enforce_step_quarantines_by_retag_and_records_the_removed_tags(story):
    step = story[3]

    assert step["invocations"][0]["cold_start"] is True  # the stack update restarted it
    (action,) = step["actions"]
    assert (action["kind"], action["performed"]) == ("quarantine", True)
    assert image(step, "hotfix")["tags"] == [quarantine_tag(step, "hotfix")]
    assert image(step, "hotfix")["quarantined"] is True
    state = next(item for item in step["ledger"] if item["sk"] == "state")
    assert state["quarantine"]["status"] == "QUARANTINED"
    assert state["quarantine"]["removed_tags"] == ["1.4.0-hotfix"]
    assert state["gsi1pk"] == "quarantined"


def test_waiver_release_restores_the_tag_and_tags_the_image_verified(story):
    step = story[5]

    assert [action["kind"] for action in step["actions"]] == ["release", "verified-tag"]
    assert image(step, "hotfix")["tags"] == ["1.4.0-hotfix", "verified"]
    (message,) = step["notifications"]
    assert message["attributes"]["verdict"] == "PASS"
    assert message["body"]["waivers"]["applied"][0]["id"] == "CVE-2022-37434"


def test_expired_waiver_is_judged_with_the_scenario_clock(story):
    step = story[7]

    assert step["time"] == "2022-10-01T09:00:04Z"
    assert step["decisions"][0]["verdict"] == "FAIL"
    assert "expired waiver" in step["decisions"][0]["summary"]


def test_clean_rebuild_passes_quietly(story):
    step = story[9]

    assert [delivery["detail_type"] for delivery in step["deliveries"]] == ["Object Created"]
    assert step["decisions"][0]["verdict"] == "PASS"
    assert step["notifications"] == []
    assert image(step, "rebuild")["tags"] == ["1.4.1", "verified"]


def test_archive_quarantine_changes_the_storage_class_not_the_tags(archive):
    step = archive[1]

    assert image(step, "job") | {"digest": None} == {
        "image": "job",
        "repository": "team/batch",
        "digest": None,
        "tags": ["7.1.0"],
        "storage_class": "ARCHIVE",
        "quarantined": True,
    }
    (action,) = step["actions"]
    assert (action["method"], action["performed"]) == ("archive", True)


def test_release_command_restores_the_storage_class(archive):
    step = archive[2]

    assert step["release"]["kind"] == "release"
    assert step["release"]["method"] == "archive"
    assert image(step, "job")["storage_class"] == "STANDARD"
    assert image(step, "job")["quarantined"] is False
    (action,) = step["actions"]
    assert action["by"] == "cli:alice"


def test_release_of_an_image_not_quarantined_is_reported_not_crashed(archive):
    step = archive[3]

    assert step["release"] is None
    assert step["remarks"][-1].endswith("not quarantined (ledger table ecr-guard-GuardTable)")
