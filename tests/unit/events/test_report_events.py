"""Report events: S3 Object Created, the CI's Trivy Report Uploaded, the recorder's request."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from ecr_guard.errors import EventError
from ecr_guard.events import (
    EvaluateIndexRequest,
    S3ObjectCreatedEvent,
    TrivyReportUploadedEvent,
    classify,
    image_ref,
    scan_marker,
)

from tests.unit.events.samples import ACCOUNT, DIGEST, REGION, object_created, trivy_uploaded

REPORT_KEY = f"trivy/team/app/{DIGEST}.json"
VERSION = "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY"


def test_object_created_gives_bucket_key_version_etag_and_size() -> None:
    event = classify(object_created(REPORT_KEY, **{"version-id": VERSION}))

    assert isinstance(event, S3ObjectCreatedEvent)
    assert (event.bucket, event.key, event.version_id) == ("guard-reports", REPORT_KEY, VERSION)
    assert event.detail.object.etag == "9b2cf535f27731c974343645a3985328"
    assert event.detail.object.size == 48213
    assert image_ref(event) is None


def test_object_created_marker_is_the_object_version() -> None:
    event = classify(object_created(REPORT_KEY, **{"version-id": VERSION}))

    assert isinstance(event, S3ObjectCreatedEvent)
    assert scan_marker(event) == f"trivy|guard-reports|{REPORT_KEY}|{VERSION}"


def test_object_created_in_an_unversioned_bucket_is_marked_by_etag() -> None:
    event = classify(object_created(REPORT_KEY))

    assert isinstance(event, S3ObjectCreatedEvent)
    assert scan_marker(event).endswith("|9b2cf535f27731c974343645a3985328")


def test_custom_and_s3_events_of_one_upload_share_a_marker() -> None:
    s3_event = classify(object_created(REPORT_KEY, **{"version-id": VERSION}))
    ci_event = classify(trivy_uploaded())

    assert isinstance(s3_event, S3ObjectCreatedEvent)
    assert isinstance(ci_event, TrivyReportUploadedEvent)
    assert scan_marker(s3_event) == scan_marker(ci_event)


def test_trivy_report_uploaded_names_its_image() -> None:
    event = classify(trivy_uploaded())

    assert isinstance(event, TrivyReportUploadedEvent)
    assert (event.bucket, event.key, event.version_id) == ("guard-reports", REPORT_KEY, VERSION)
    ref = event.image_ref()
    assert (ref.account, ref.region, ref.repository, ref.digest, ref.tags) == (
        ACCOUNT,
        REGION,
        "team/app",
        DIGEST,
        ("1.2.3",),
    )


@pytest.mark.parametrize(
    "digest",
    [
        "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234",
        "sha256:" + "0123456789ABCDEF" * 4,
        DIGEST.removeprefix("sha256:"),
    ],
)
def test_trivy_report_uploaded_requires_a_real_digest(digest: str) -> None:
    with pytest.raises(EventError) as raised:
        classify(trivy_uploaded(**{"image-digest": digest}))

    assert raised.value.location == "detail.image-digest"
    assert "64 lower-case hex" in raised.value.message


def test_trivy_report_uploaded_without_repository_is_malformed() -> None:
    raw = trivy_uploaded()
    del raw["detail"]["repository-name"]

    with pytest.raises(EventError) as raised:
        classify(raw)

    assert str(raised.value) == (
        "event 5a0c8d3e-1b2f-4c3d-9e8f-0a1b2c3d4e5f: detail.repository-name: Field required"
    )


def test_evaluate_index_request_round_trips_through_its_message() -> None:
    request = EvaluateIndexRequest.create(
        account=ACCOUNT,
        region=REGION,
        repository="team/app",
        index_digest=DIGEST,
        pushed_at="2026-12-03T11:59:58Z",
        tags=("1.2.3",),
        push_event_id="13cde686-328b-6117-af20-0e5566167482",
        now=datetime(2026, 12, 3, 12, 0, tzinfo=UTC),
    )

    body = json.loads(request.to_message())
    event = classify(body)

    assert body["source"] == "ecr-guard"
    assert body["detail-type"] == "Evaluate Index"
    assert body["time"] == "2026-12-03T12:00:00Z"
    assert body["detail"] == {
        "repository-name": "team/app",
        "index-digest": DIGEST,
        "pushed-at": "2026-12-03T11:59:58Z",
        "image-tags": ["1.2.3"],
        "push-event-id": "13cde686-328b-6117-af20-0e5566167482",
    }
    assert event == request
    assert scan_marker(request) == f"evaluate-index|{DIGEST}|2026-12-03T11:59:58Z"
    assert request.image_ref().display() == "team/app:1.2.3"


def test_evaluate_index_requests_get_distinct_ids() -> None:
    first, second = (
        EvaluateIndexRequest.create(
            account=ACCOUNT,
            region=REGION,
            repository="team/app",
            index_digest=DIGEST,
            pushed_at="2026-12-03T11:59:58Z",
        )
        for _ in range(2)
    )

    assert first.id != second.id
