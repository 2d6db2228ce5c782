"""The published JSON Schema of the notification body, and real messages against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ecr_guard.guard.messages import SnsMessage, build_notification
from ecr_guard.guard.notification import schema_text
from ecr_guard.guard.outcome import ActionKind, ActionReport, PlatformVerdict
from ecr_guard.guard.state import ImageKind
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode
from jsonschema import Draft202012Validator

from tests.conftest import REPO_ROOT
from tests.unit.guard.notify_builders import (
    CHILD_DIGEST,
    CLEAN_REPORT,
    FLASK_REPORT,
    corpus_decision,
    failed_scan_decision,
    quarantined,
    subject_image,
    synthetic_decision,
    would_quarantine,
)

SCHEMA_FILE = REPO_ROOT / "docs" / "schemas" / "notification-v1.schema.json"
REGENERATE = (
    'python -c "from ecr_guard.guard.notification import schema_text; '
    "print(schema_text(), end='')\" > docs/schemas/notification-v1.schema.json"
)


def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def json_body(message: SnsMessage) -> Any:
    return json.loads(json.loads(message.message)["default"])


def test_published_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), f"regenerate: {REGENERATE}"


def test_schema_refuses_unknown_keys_and_requires_the_version() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

    assert schema["additionalProperties"] is False
    assert schema["properties"]["version"]["const"] == "1"
    assert schema["properties"]["type"]["const"] == "ecr-guard.decision"
    assert "version" in schema["required"]


@pytest.mark.corpus
@pytest.mark.parametrize("report", [FLASK_REPORT, CLEAN_REPORT])
def test_messages_from_real_reports_validate(corpus: Path, report: str) -> None:
    image = subject_image("1.2.3")
    message = build_notification(
        corpus_decision(corpus, report, image),
        image=image,
        action=quarantined("1.2.3"),
        mode=Mode.ENFORCE,
        team="payments",
        event_id="evt-1",
        previous_verdict=Verdict.PASS,
    )

    errors = list(validator().iter_errors(json_body(message)))

    assert errors == []


def test_message_from_twenty_thousand_findings_validates() -> None:
    image = subject_image()
    message = build_notification(
        synthetic_decision(20_000, image),
        image=image,
        action=would_quarantine(),
        mode=Mode.AUDIT,
        team=None,
        event_id=None,
        previous_verdict=None,
    )

    assert list(validator().iter_errors(json_body(message))) == []


def test_message_for_an_unusable_scan_of_an_index_validates() -> None:
    child = subject_image().model_copy(update={"digest": CHILD_DIGEST})
    message = build_notification(
        failed_scan_decision(child),
        image=subject_image("1.2.3"),
        action=ActionReport(kind=ActionKind.RELEASE, performed=True, tags_restored=("1.2.3",)),
        mode=Mode.ENFORCE,
        team="payments",
        event_id="evt-2",
        previous_verdict=Verdict.FAIL,
        platforms=(PlatformVerdict(platform="linux/amd64", digest=CHILD_DIGEST),),
        image_kind=ImageKind.INDEX,
    )

    body = json_body(message)

    assert list(validator().iter_errors(body)) == []
    assert body["verdict"] == "UNKNOWN"
    assert body["image"]["platforms"] == [
        {"platform": "linux/amd64", "digest": CHILD_DIGEST, "verdict": None}
    ]


def test_a_body_with_an_unknown_key_is_refused() -> None:
    image = subject_image()
    message = build_notification(
        failed_scan_decision(image),
        image=image,
        action=ActionReport(),
        mode=Mode.AUDIT,
        team=None,
        event_id=None,
        previous_verdict=None,
    )
    body = json_body(message) | {"surprise": True}

    assert [error.validator for error in validator().iter_errors(body)] == ["additionalProperties"]
