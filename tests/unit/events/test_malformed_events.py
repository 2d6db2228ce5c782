"""Events of a handled type that lack or garble a field: one line naming the event and field."""

from __future__ import annotations

from typing import Any

import pytest
from ecr_guard.errors import EventError, InputError
from ecr_guard.events import EcrImageScanEvent, classify

from tests.unit.events.samples import DIGEST, image_action, image_scan

EVENT_ID = "5a0c8d3e-1b2f-4c3d-9e8f-0a1b2c3d4e5f"


def error_for(raw: dict[str, Any]) -> EventError:
    with pytest.raises(EventError) as raised:
        classify(raw)
    return raised.value


def test_scan_without_repository_names_the_event_and_the_field() -> None:
    raw = image_scan()
    del raw["detail"]["repository-name"]

    error = error_for(raw)

    assert isinstance(error, InputError)
    assert error.source == f"event {EVENT_ID}"
    assert error.location == "detail.repository-name"
    assert str(error) == f"event {EVENT_ID}: detail.repository-name: Field required"


def test_scan_with_a_digest_of_another_algorithm_is_malformed() -> None:
    error = error_for(image_scan(**{"image-digest": "md5:0123456789abcdef0123456789abcdef"}))

    assert error.location == "detail.image-digest"
    assert error.message.startswith("must be `sha256:` followed by the digest")
    assert "(got 'md5:0123456789abcdef0123456789abcdef')" in error.message


def test_push_without_digest_is_malformed() -> None:
    raw = image_action(**{"image-tag": "1.2.3"})
    del raw["detail"]["image-digest"]

    assert error_for(raw).location == "detail.image-digest"


def test_push_without_action_type_is_malformed_not_ignored() -> None:
    raw = image_action()
    del raw["detail"]["action-type"]

    assert error_for(raw).location == "detail.action-type"


def test_detail_that_is_not_an_object_is_malformed() -> None:
    raw = image_scan()
    raw["detail"] = "COMPLETE"

    assert error_for(raw).location == "detail"


def test_missing_envelope_account_is_malformed() -> None:
    raw = image_scan()
    del raw["account"]

    assert error_for(raw).location == "account"


def test_several_problems_are_counted_on_the_one_line() -> None:
    raw = image_scan()
    del raw["detail"]["repository-name"]
    del raw["detail"]["image-digest"]

    error = error_for(raw)

    assert error.message == "Field required (and 1 more problem)"
    assert "\n" not in str(error)


def test_event_without_id_is_named_as_such() -> None:
    raw = image_scan()
    del raw["id"]
    del raw["detail"]["scan-status"]

    error = error_for(raw)

    assert error.source == "event (no id)"


def test_control_characters_in_a_bad_value_do_not_break_the_line() -> None:
    error = error_for(image_scan(**{"image-digest": "sha256:abc\n\x1b[31mred"}))

    assert "\n" not in str(error)
    assert error.location == "detail.image-digest"


@pytest.mark.parametrize(
    "digest",
    [
        DIGEST,
        "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234",
        "sha256:4aa08ef415aecc80814cb42fa41b658480779d80c77ab15EXAMPLE",
        "sha256:8g6c3751gf7gc5g47603ege4511d5a80ead5g90f5893543f1489bde2345",
    ],
)
def test_aws_events_accept_real_and_documentation_digests(digest: str) -> None:
    event = classify(image_scan(**{"image-digest": digest}))

    assert isinstance(event, EcrImageScanEvent)
    assert event.detail.image_digest == digest


@pytest.mark.parametrize(
    "digest",
    ["sha256:", "sha256:abc", "sha256:" + "a" * 129, "sha256:" + "é" * 64, DIGEST + " "],
)
def test_aws_events_refuse_digests_that_cannot_be_one(digest: str) -> None:
    assert error_for(image_scan(**{"image-digest": digest})).location == "detail.image-digest"
