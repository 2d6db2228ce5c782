"""The AWS Chatbot custom notification: its required fields, threads per tag, escaped text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from ecr_guard.guard.messages import build_notification
from ecr_guard.notify.chatbot import DESCRIPTION_LIMIT, TITLE_LIMIT, render_chatbot
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode, Waiver

from tests.unit.guard.notify_builders import (
    FLASK_REPORT,
    corpus_decision,
    quarantined,
    subject_image,
    synthetic_decision,
)

pytestmark = pytest.mark.corpus


@pytest.fixture
def notification(corpus: Path) -> dict:
    image = subject_image("1.2.3", "latest")
    body = build_notification(
        corpus_decision(corpus, FLASK_REPORT, image),
        image=image,
        action=quarantined("1.2.3", "latest"),
        mode=Mode.ENFORCE,
        team="payments",
        event_id="85fc3613-e913-7fc4-a80c-a3753e4aa9ae",
        previous_verdict=Verdict.PASS,
    ).body
    return render_chatbot(body)


def test_it_has_the_custom_notification_envelope(notification: dict) -> None:
    assert (notification["version"], notification["source"]) == ("1.0", "custom")
    assert notification["id"] == "85fc3613-e913-7fc4-a80c-a3753e4aa9ae"
    assert notification["content"]["textType"] == "client-markdown"
    assert notification["metadata"]["eventType"] == "ecr-guard.decision"
    assert notification["metadata"]["additionalContext"]["team"] == "payments"
    json.dumps(notification)  # plain JSON, as SNS carries it


def test_decisions_about_one_tag_share_a_thread(notification: dict) -> None:
    assert notification["metadata"]["threadId"] == "team/app:1.2.3"


def test_title_and_description_say_what_happened_and_which_findings(notification: dict) -> None:
    content = notification["content"]

    assert content["title"] == "FAIL team/app:1.2.3 quarantined"
    assert content["description"].startswith("team/app:1.2.3: FAIL: 1 vulnerability breaks")
    assert "*Worst findings (5 of 30):*" in content["description"]
    assert "<https://avd.aquasec.com/nvd/cve-2025-15467|`CVE-2025-15467`>" in content["description"]
    assert content["keywords"][:2] == ["FAIL", "CRITICAL"]


def test_next_steps_carry_the_waiver_entry_and_the_release_command(notification: dict) -> None:
    steps = notification["content"]["nextSteps"]
    waiver_step = next(step for step in steps if "waiver" in step)
    flow = waiver_step[waiver_step.index("`- {") + 1 : waiver_step.rindex("`")]
    filled = flow.replace("&lt;why the risk is accepted&gt;", "accepted").replace(
        "&lt;who accepts it: name or email&gt;", "security@example.com"
    )

    (entry,) = yaml.safe_load(filled)
    assert Waiver.model_validate(entry).id == "CVE-2025-15467"
    assert any("ecr-guard release team/app@sha256:" in step for step in steps)


def test_huge_decisions_keep_the_fields_short() -> None:
    image = subject_image("1.2.3")
    body = build_notification(
        synthetic_decision(20_000, image),
        image=image,
        action=quarantined("1.2.3"),
        mode=Mode.ENFORCE,
        team="payments",
        event_id=None,
        previous_verdict=None,
    ).body

    notification = render_chatbot(body)

    assert len(notification["content"]["title"]) <= TITLE_LIMIT
    assert len(notification["content"]["description"]) <= DESCRIPTION_LIMIT
    assert notification["id"].startswith("sha256:")
