"""`expect:` blocks: each check compares what a step did with what the scenario says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ecr_guard.sim.expect import check_step
from ecr_guard.sim.manifests import BuiltImage
from ecr_guard.sim.report import DecisionView, ImageView, Notification, StepResult
from ecr_guard.sim.scenario import ScanCompleteEvent

QUARANTINE_TAG = "quarantine-sha256-" + "1" * 64


@dataclass
class Context:
    images: dict[str, BuiltImage]


def image() -> BuiltImage:
    return BuiltImage(
        reference="app",
        handle="app",
        repository="team/app",
        body='{"schemaVersion": 2}',
        media_type="application/vnd.docker.distribution.manifest.v2+json",
    )


APP = image()


def decision(**changes: Any) -> DecisionView:
    values: dict[str, Any] = {
        "image": "app",
        "repository": "team/app",
        "digest": APP.digest,
        "tags": ["1.0.0"],
        "verdict": "FAIL",
        "outcome": "FAIL",
        "rule_ids": ["critical-vulnerabilities"],
        "mode": "enforce",
        "action": "quarantine",
        "performed": True,
        "pending": False,
        "notified": True,
        "source": "ecr-basic",
        "subject": "app",
        "subject_digest": APP.digest,
        "subject_verdict": "FAIL",
    }
    return DecisionView(**{**values, **changes})


def step(**changes: Any) -> StepResult:
    values: dict[str, Any] = {
        "index": 1,
        "type": "scan-complete",
        "title": "scan-complete app",
        "time": datetime(2026, 1, 1, tzinfo=UTC),
        "decisions": [decision()],
        "images": [
            ImageView(
                image="app",
                repository="team/app",
                digest=APP.digest,
                tags=[QUARANTINE_TAG],
                storage_class="STANDARD",
                quarantined=True,
            )
        ],
        "notifications": [
            Notification(
                subject="[ecr-guard] FAIL team/app:1.0.0 quarantined",
                attributes={"verdict": "FAIL"},
                body={},
            )
        ],
        "dead_letters": {"GuardDLQ": 0, "PushRecorderDLQ": 0},
    }
    return StepResult(**{**values, **changes})


LEDGER = {
    (f"image#123456789012#us-east-1#team/app#{APP.digest}", "state"): {
        "digest": APP.digest,
        "decision#ecr-basic": {"verdict": "FAIL", "outcome": "FAIL"},
        "decision#trivy": {"verdict": "PASS", "outcome": "PASS"},
    }
}


def checked(expect: dict[str, Any], result: StepResult | None = None) -> dict[str, bool]:
    event = ScanCompleteEvent.model_validate(
        {"type": "scan-complete", "image": "app", "expect": expect}
    )
    outcome = check_step(result or step(), event, Context({"app": APP}), LEDGER)  # type: ignore[arg-type]
    return {expectation.check: expectation.passed for expectation in outcome.expectations}


def test_matching_decision_checks_pass():
    assert checked(
        {
            "verdict": "FAIL",
            "action": "quarantine",
            "performed": True,
            "pending": False,
            "rules": ["critical-vulnerabilities"],
        }
    ) == {"verdict": True, "action": True, "performed": True, "pending": True, "rules": True}


def test_a_different_verdict_fails_the_check():
    assert checked({"verdict": "PASS"}) == {"verdict": False}


def test_outcome_is_the_worst_of_the_scanners_in_the_ledger():
    assert checked({"outcome": "FAIL"}) == {"outcome": True}


def test_no_decision_on_the_image_fails_every_decision_check():
    assert checked({"verdict": "FAIL", "action": "none"}, step(decisions=[])) == {
        "verdict": False,
        "action": False,
    }


def test_notification_count_and_subject_text():
    assert checked({"notifications": 1, "subjects": ["FAIL team/app:1.0.0"]}) == {
        "notifications": True,
        "subject": True,
    }
    assert checked({"notifications": 2, "subjects": ["PASS"]}) == {
        "notifications": False,
        "subject": False,
    }


def test_tag_checks_take_exact_lists_and_patterns():
    assert checked(
        {
            "images": {
                "app": {
                    "tags": [QUARANTINE_TAG],
                    "has_tags": ["quarantine-sha256-*"],
                    "lacks_tags": ["1.0.0"],
                    "storage_class": "STANDARD",
                    "quarantined": True,
                    "exists": True,
                }
            }
        }
    ) == {
        "app.tags": True,
        "app.has_tags": True,
        "app.lacks_tags": True,
        "app.storage_class": True,
        "app.quarantined": True,
        "app.exists": True,
    }


def test_tag_checks_fail_when_the_image_differs():
    assert checked(
        {"images": {"app": {"has_tags": ["1.0.0"], "lacks_tags": ["quarantine-*"]}}}
    ) == {"app.has_tags": False, "app.lacks_tags": False}


def test_an_image_gone_from_ecr_fails_exists():
    assert checked({"images": {"app": {"exists": True}}}, step(images=[])) == {"app.exists": False}


def test_dead_letters_are_counted_across_both_queues():
    result = step(dead_letters={"GuardDLQ": 1, "PushRecorderDLQ": 0})

    assert checked({"dead_letters": 0}, result) == {"dead_letters": False}
    assert checked({"dead_letters": 1}, result) == {"dead_letters": True}
