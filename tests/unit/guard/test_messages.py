"""The SNS message for a subject decision: subject line, protocol bodies and attributes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ecr_guard.guard.messages import (
    JSON_PROTOCOLS,
    SUBJECT_LIMIT,
    build_notification,
    subject_line,
)
from ecr_guard.guard.notification import NotifiedRoute, RouteSource
from ecr_guard.guard.outcome import ActionKind, ActionReport, PlatformVerdict
from ecr_guard.guard.state import ImageKind
from ecr_guard.images import ImageRef
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode

from tests.unit.guard.notify_builders import (
    CHILD_DIGEST,
    CLEAN_REPORT,
    DIGEST,
    FLASK_REPORT,
    bodies,
    corpus_decision,
    email,
    quarantined,
    subject_image,
    would_quarantine,
)

pytestmark = pytest.mark.corpus

ARM64_DIGEST = "sha256:" + "2" * 64
ARM_V7_DIGEST = "sha256:" + "7" * 64


def test_quarantined_failure_has_the_documented_subject(corpus: Path) -> None:
    image = subject_image("1.2.3", "latest")
    decision = corpus_decision(corpus, FLASK_REPORT, image)

    message = build_notification(
        decision,
        image=image,
        action=quarantined("1.2.3", "latest"),
        mode=Mode.ENFORCE,
        team="payments",
        event_id="85fc3613-e913-7fc4-a80c-a3753e4aa9ae",
        previous_verdict=Verdict.PASS,
    )

    assert message.subject == "[ecr-guard] FAIL team/app:1.2.3 quarantined"


def test_audit_mode_subject_says_what_would_happen(corpus: Path) -> None:
    image = subject_image("1.2.3")
    decision = corpus_decision(corpus, FLASK_REPORT, image)

    message = build_notification(
        decision,
        image=image,
        action=would_quarantine("1.2.3"),
        mode=Mode.AUDIT,
        team=None,
        event_id=None,
        previous_verdict=None,
    )

    assert message.subject == "[ecr-guard] FAIL team/app:1.2.3 would be quarantined (audit)"
    assert message.body.action.performed is False
    assert message.body.release_command is None


def test_untagged_subject_shows_a_short_digest(corpus: Path) -> None:
    image = subject_image()
    decision = corpus_decision(corpus, FLASK_REPORT, image)

    message = build_notification(
        decision,
        image=image,
        action=quarantined(),
        mode=Mode.ENFORCE,
        team="payments",
        event_id=None,
        previous_verdict=None,
    )

    assert message.subject == "[ecr-guard] FAIL team/app@sha256:abcdef012345 quarantined"
    assert message.body.image.display == f"team/app@{DIGEST}"
    assert message.body.image.tags == ()


def test_long_names_are_shortened_to_fit_the_subject_limit() -> None:
    image = ImageRef(
        repository="platform/" + "very-long-group-name/" * 8 + "service",
        digest=DIGEST,
        tags=("release-" + "x" * 120,),
    )

    subject = subject_line(image, Verdict.FAIL, Verdict.FAIL, would_quarantine(), Mode.AUDIT)

    assert len(subject) <= SUBJECT_LIMIT
    assert subject.startswith("[ecr-guard] FAIL ...")
    assert "/service:release-" in subject
    assert subject.endswith(" would be quarantined (audit)")


def test_subject_is_one_ascii_line() -> None:
    image = ImageRef(repository="équipe/app", digest=DIGEST, tags=("v1\n\u202eevil-☃",))

    subject = subject_line(image, Verdict.WARN, Verdict.WARN, ActionReport(), Mode.ENFORCE)

    assert subject == "[ecr-guard] WARN equipe/app:v1 evil-?"
    assert subject.isascii()
    assert subject.isprintable()


@pytest.mark.parametrize(
    ("action", "mode", "ending"),
    [
        (ActionReport(kind=ActionKind.RELEASE, performed=True), Mode.ENFORCE, " released"),
        (ActionReport(kind=ActionKind.RELEASE), Mode.AUDIT, " would be released (audit)"),
        (
            ActionReport(kind=ActionKind.QUARANTINE, already_done=True),
            Mode.ENFORCE,
            " still quarantined",
        ),
        (
            ActionReport(kind=ActionKind.QUARANTINE, error="ImageTagAlreadyExistsException"),
            Mode.ENFORCE,
            " quarantine failed",
        ),
        (
            ActionReport(kind=ActionKind.VERIFIED_TAG, performed=True, verified_tag="verified"),
            Mode.ENFORCE,
            " verified",
        ),
        (ActionReport(), Mode.ENFORCE, " team/app:1.2.3"),
    ],
)
def test_subject_names_the_action(action: ActionReport, mode: Mode, ending: str) -> None:
    image = subject_image("1.2.3")

    assert subject_line(image, Verdict.PASS, Verdict.PASS, action, mode).endswith(ending)


def test_unknown_handled_by_policy_shows_both_verdicts() -> None:
    subject = subject_line(
        subject_image("1.2.3"), Verdict.UNKNOWN, Verdict.FAIL, quarantined(), Mode.ENFORCE
    )

    assert subject == "[ecr-guard] UNKNOWN as FAIL team/app:1.2.3 quarantined"


def test_attributes_carry_verdict_severity_repository_team_mode_action(corpus: Path) -> None:
    image = subject_image("1.2.3")
    decision = corpus_decision(corpus, FLASK_REPORT, image)

    message = build_notification(
        decision,
        image=image,
        action=quarantined("1.2.3"),
        mode=Mode.ENFORCE,
        team="payments",
        event_id=None,
        previous_verdict=None,
    )

    assert message.attributes == {
        "verdict": "FAIL",
        "outcome": "FAIL",
        "severity": "CRITICAL",
        "repository": "team/app",
        "team": "payments",
        "mode": "enforce",
        "action": "quarantine",
    }
    assert message.message_attributes()["team"] == {"DataType": "String", "StringValue": "payments"}


def test_clean_image_without_team_has_no_severity_and_unknown_team(corpus: Path) -> None:
    image = subject_image("2.0.0")
    decision = corpus_decision(corpus, CLEAN_REPORT, image)

    message = build_notification(
        decision,
        image=image,
        action=ActionReport(),
        mode=Mode.AUDIT,
        team=None,
        event_id=None,
        previous_verdict=None,
    )

    assert decision.verdict is Verdict.PASS
    assert message.attributes["severity"] == "NONE"
    assert message.attributes["team"] == "unknown"
    assert message.attributes["action"] == "none"
    assert all(isinstance(value, str) and value for value in message.attributes.values())
    assert message.subject == "[ecr-guard] PASS team/app:2.0.0"


def test_json_body_is_sent_once_as_default_and_email_is_text(corpus: Path) -> None:
    image = subject_image("1.2.3")
    decision = corpus_decision(corpus, FLASK_REPORT, image)

    message = build_notification(
        decision,
        image=image,
        action=quarantined("1.2.3"),
        mode=Mode.ENFORCE,
        team="payments",
        event_id="evt-1",
        previous_verdict=Verdict.PASS,
    )

    parsed = bodies(message)
    # SNS sends `default` to SQS, Lambda and HTTPS subscribers: one copy of the JSON body.
    assert JSON_PROTOCOLS == ("default",)
    assert set(parsed) == {"default", "email"}
    assert parsed["email"].startswith("ecr-guard: FAIL (previously PASS) for team/app:1.2.3\n")
    body = json.loads(parsed["default"])
    assert (body["type"], body["version"]) == ("ecr-guard.decision", "1")
    assert (body["verdict"], body["previous_verdict"], body["event_id"]) == (
        "FAIL",
        "PASS",
        "evt-1",
    )
    assert body["release_command"] == (f"ecr-guard release team/app@{DIGEST} --region eu-west-1")
    assert message.message_structure == "json"


def test_real_report_lists_every_failing_finding_with_its_fix(corpus: Path) -> None:
    image = subject_image("1.2.3")
    decision = corpus_decision(corpus, FLASK_REPORT, image)

    body = build_notification(
        decision,
        image=image,
        action=quarantined("1.2.3"),
        mode=Mode.ENFORCE,
        team="payments",
        event_id=None,
        previous_verdict=None,
    ).body

    assert [(rule.id, rule.findings_total, rule.findings_omitted) for rule in body.rules] == [
        ("critical-vulnerabilities", 3, 0),
        ("fixable-high-vulnerabilities", 21, 0),
        ("unfixed-high-vulnerabilities", 6, 0),
    ]
    assert body.omitted.findings == 0
    critical = body.rules[0].findings
    assert {finding.package for finding in critical} == {
        "libssl3t64",
        "openssl",
        "openssl-provider-legacy",
    }
    assert {finding.fixed for finding in critical} == {("3.5.4-1~deb13u2",)}
    assert body.counts.total == decision.counts.total


def test_index_lists_its_platforms_and_the_platform_evaluated(corpus: Path) -> None:
    child = ImageRef(repository="team/app", digest=CHILD_DIGEST, account="123456789012")
    decision = corpus_decision(corpus, CLEAN_REPORT, child)
    platforms = (
        PlatformVerdict(platform="linux/amd64", digest=CHILD_DIGEST, verdict=Verdict.PASS),
        PlatformVerdict(platform="linux/arm64", digest=ARM64_DIGEST, verdict=None),
        PlatformVerdict(platform="linux/arm/v7", digest=ARM_V7_DIGEST, verdict=Verdict.FAIL),
    )

    message = build_notification(
        decision,
        image=subject_image("1.2.3"),
        action=quarantined("1.2.3"),
        mode=Mode.ENFORCE,
        team="payments",
        event_id=None,
        previous_verdict=None,
        platforms=platforms,
        image_kind=ImageKind.INDEX,
        verdict=Verdict.FAIL,
        outcome=Verdict.FAIL,
    )

    image = message.body.image
    assert (image.kind, image.digest, image.evaluated_digest) == (
        ImageKind.INDEX,
        DIGEST,
        CHILD_DIGEST,
    )
    assert [item.platform for item in image.platforms] == [
        "linux/amd64",
        "linux/arm64",
        "linux/arm/v7",
    ]
    assert message.body.verdict is Verdict.FAIL
    assert message.subject == "[ecr-guard] FAIL team/app:1.2.3 quarantined"
    assert message.body.summary.startswith(
        "team/app:1.2.3: FAIL across its platform images. linux/amd64 (sha256:0123456789ab): PASS"
    )
    text = email(message)
    assert "  linux/amd64   sha256:0123456789ab  PASS" in text
    assert "  linux/arm64   sha256:222222222222  not evaluated yet" in text
    assert "  linux/arm/v7  sha256:777777777777  FAIL" in text


def test_route_adds_the_slack_channel_attribute_and_names_the_team(corpus: Path) -> None:
    image = subject_image("1.2.3")
    decision = corpus_decision(corpus, FLASK_REPORT, image)
    route = NotifiedRoute(
        team="payments",
        source=RouteSource.POLICY_ROUTE,
        email="payments-oncall@example.com",
        slack_channel="#payments-alerts",
    )

    message = build_notification(
        decision,
        image=image,
        action=quarantined("1.2.3"),
        mode=Mode.ENFORCE,
        team=None,
        event_id=None,
        previous_verdict=None,
        route=route,
    )

    assert message.attributes["team"] == "payments"
    assert message.attributes["slack_channel"] == "#payments-alerts"
    assert message.body.route == route
