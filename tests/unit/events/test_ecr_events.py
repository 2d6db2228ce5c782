"""ECR events written by hand: the shapes AWS documents but publishes no sample of."""

from __future__ import annotations

from ecr_guard.events import (
    EcrImageActionEvent,
    EcrImageScanEvent,
    IgnoredEvent,
    IgnoreReason,
    classify,
    image_ref,
)

from tests.unit.events.samples import ACCOUNT, DIGEST, REGION, image_action, image_scan


def test_failed_basic_scan_without_counts_is_handled_with_zero_counts() -> None:
    event = classify(image_scan(**{"scan-status": "FAILED", "image-tags": ["1.0"]}))

    assert isinstance(event, EcrImageScanEvent)
    assert event.failed
    assert event.detail.finding_severity_counts.for_log() == {
        "CRITICAL": 0,
        "HIGH": 0,
        "MEDIUM": 0,
        "LOW": 0,
        "INFORMATIONAL": 0,
        "UNDEFINED": 0,
        "UNTRIAGED": 0,
    }


def test_scan_with_explicit_zero_counts_reads_like_one_without_them() -> None:
    zeros = {"CRITICAL": 0, "HIGH": 0, "MEDIUM": 0, "LOW": 0, "INFORMATIONAL": 0, "UNDEFINED": 0}
    explicit = classify(image_scan(**{"finding-severity-counts": zeros}))
    absent = classify(image_scan())

    assert isinstance(explicit, EcrImageScanEvent)
    assert isinstance(absent, EcrImageScanEvent)
    assert explicit.detail.finding_severity_counts == absent.detail.finding_severity_counts


def test_numeric_looking_tags_stay_text() -> None:
    event = classify(image_scan(**{"image-tags": ["1572471135", "latest"]}))

    assert isinstance(event, EcrImageScanEvent)
    assert event.image_ref().tags == ("1572471135", "latest")


def test_push_by_digest_without_tag_gives_an_untagged_image() -> None:
    event = classify(image_action())

    assert isinstance(event, EcrImageActionEvent)
    ref = image_ref(event)
    assert ref is not None
    assert ref.tags == ()
    assert ref.display() == f"team/app@{DIGEST}"
    assert (ref.account, ref.region) == (ACCOUNT, REGION)
    assert event.scan_marker() == "ecr-push|2026-12-03T11:58:00Z|"


def test_nested_repository_name_is_kept_whole() -> None:
    event = classify(image_action(**{"repository-name": "docker-hub/library/nginx"}))

    assert isinstance(event, EcrImageActionEvent)
    assert event.image_ref().repository == "docker-hub/library/nginx"


def test_push_that_did_not_succeed_is_ignored_with_its_result() -> None:
    outcome = classify(image_action(result="FAILURE"))

    assert isinstance(outcome, IgnoredEvent)
    assert outcome.reason is IgnoreReason.RESULT_NOT_SUCCESS
    assert outcome.note == "result FAILURE"


def test_replayed_event_is_handled_and_says_which_replay() -> None:
    raw = image_scan(**{"image-tags": ["1.2.3"]}) | {"replay-name": "guard-archive-replay"}

    event = classify(raw)

    assert isinstance(event, EcrImageScanEvent)
    assert event.replay_name == "guard-archive-replay"
    assert event.scan_marker() == "ecr-scan|2026-12-03T11:58:00Z"


def test_unknown_top_level_keys_are_ignored() -> None:
    raw = image_scan() | {"detail.resources.tags.testkey": "allow"}

    assert isinstance(classify(raw), EcrImageScanEvent)


def test_impossible_envelope_date_is_kept_as_sent() -> None:
    raw = image_scan() | {"time": "2023-02-29T02:36:48Z"}

    event = classify(raw)

    assert isinstance(event, EcrImageScanEvent)
    assert event.time == "2023-02-29T02:36:48Z"
    assert event.occurred_at is None


def test_envelope_time_parses_when_real() -> None:
    event = classify(image_scan())

    assert isinstance(event, EcrImageScanEvent)
    assert event.occurred_at is not None
    assert event.occurred_at.isoformat() == "2026-12-03T11:58:00+00:00"


def test_same_detail_type_from_another_source_is_not_handled() -> None:
    raw = image_scan() | {"source": "custom.ecr"}

    outcome = classify(raw)

    assert isinstance(outcome, IgnoredEvent)
    assert outcome.reason is IgnoreReason.UNHANDLED_DETAIL_TYPE


def test_a_body_that_is_not_an_event_is_ignored() -> None:
    outcome = classify({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "reports"})

    assert isinstance(outcome, IgnoredEvent)
    assert outcome.reason is IgnoreReason.NOT_AN_EVENT
    assert outcome.log_extra() == {
        "reason": "not-an-event",
        "source": None,
        "detail_type": None,
        "event_id": None,
        "note": None,
    }
