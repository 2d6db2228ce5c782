"""Every published ECR and Inspector sample event, classified, with the outcome asserted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ecr_guard.events import (
    EcrImageActionEvent,
    EcrImageScanEvent,
    IgnoredEvent,
    IgnoreReason,
    Inspector2FindingEvent,
    Inspector2ScanEvent,
    classify,
    image_ref,
    scan_marker,
)

pytestmark = pytest.mark.corpus

FOLDERS = ("ecr-events", "inspector-events")
INVALID_JSON = "ecr-events/pull-through-cache-action.published-invalid-json.txt"

IGNORED = {
    "ecr-events/image-action-delete-success.json": IgnoreReason.ACTION_NOT_PUSH,
    "ecr-events/image-action-restore-update-storage-class.json": IgnoreReason.ACTION_NOT_PUSH,
    "ecr-events/referrer-action-restore.json": IgnoreReason.REFERRER_ACTION,
    "ecr-events/replication-action-failed.json": IgnoreReason.UNHANDLED_DETAIL_TYPE,
    "ecr-events/replication-action-success.json": IgnoreReason.UNHANDLED_DETAIL_TYPE,
    "ecr-events/scan-resource-change-frequency.json": IgnoreReason.UNHANDLED_DETAIL_TYPE,
    "inspector-events/inspector2-coverage-ec2.json": IgnoreReason.UNHANDLED_DETAIL_TYPE,
    "inspector-events/inspector2-scan-lambda-initial-negative.json": IgnoreReason.NOT_AN_ECR_IMAGE,
}
HANDLED = {
    "ecr-events/image-action-push-success.json": EcrImageActionEvent,
    "ecr-events/image-scan-basic-complete-docs.json": EcrImageScanEvent,
    "inspector-events/inspector2-finding-ecr-2021.json": Inspector2FindingEvent,
    "inspector-events/inspector2-finding-ecr-2021-current-page.json": Inspector2FindingEvent,
    "inspector-events/inspector2-scan-ecr-initial-2021.json": Inspector2ScanEvent,
}
INSPECTOR_DIGEST = "sha256:36c7b282abd0186e01419f2e58743e1bf635808231049bbc9d77e5EXAMPLE"
DOC_DIGEST = "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234"


def load(corpus: Path, name: str) -> dict[str, Any]:
    raw = json.loads((corpus / name).read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


def test_every_sample_event_has_an_expected_outcome(corpus: Path) -> None:
    present = {
        f"{folder}/{path.name}" for folder in FOLDERS for path in (corpus / folder).iterdir()
    }
    assert present == set(IGNORED) | set(HANDLED) | {INVALID_JSON}


@pytest.mark.parametrize(("name", "reason"), sorted(IGNORED.items()))
def test_sample_event_is_ignored_with_its_reason(
    corpus: Path, name: str, reason: IgnoreReason
) -> None:
    raw = load(corpus, name)

    outcome = classify(raw)

    assert isinstance(outcome, IgnoredEvent)
    assert outcome.reason is reason
    assert (outcome.source, outcome.detail_type, outcome.event_id) == (
        raw["source"],
        raw["detail-type"],
        raw["id"],
    )


@pytest.mark.parametrize("name", sorted(HANDLED))
def test_sample_event_is_handled_as_its_model(corpus: Path, name: str) -> None:
    assert isinstance(classify(load(corpus, name)), HANDLED[name])


def test_delete_and_storage_class_actions_say_which_action_was_seen(corpus: Path) -> None:
    delete = classify(load(corpus, "ecr-events/image-action-delete-success.json"))
    restore = classify(load(corpus, "ecr-events/image-action-restore-update-storage-class.json"))

    assert isinstance(delete, IgnoredEvent)
    assert isinstance(restore, IgnoredEvent)
    assert delete.note == "action-type DELETE"
    assert restore.note == "action-type UPDATE_STORAGE_CLASS"


def test_lambda_scan_is_ignored_naming_its_resource(corpus: Path) -> None:
    outcome = classify(
        load(corpus, "inspector-events/inspector2-scan-lambda-initial-negative.json")
    )

    assert isinstance(outcome, IgnoredEvent)
    assert outcome.note == (
        "resources arn:aws:lambda:us-west-2:111122223333:function:lambda-example:$LATEST"
    )


def test_push_sample_gives_the_tagged_image_and_its_60_character_doc_digest(corpus: Path) -> None:
    event = classify(load(corpus, "ecr-events/image-action-push-success.json"))

    assert isinstance(event, EcrImageActionEvent)
    assert event.detail.action_type == "PUSH"
    assert event.detail.image_tag == "latest"
    assert event.resources == ()
    ref = image_ref(event)
    assert ref is not None
    assert (ref.account, ref.region, ref.repository, ref.digest, ref.tags) == (
        "123456789012",
        "us-west-2",
        "my-repository-name",
        DOC_DIGEST,
        ("latest",),
    )
    assert scan_marker(event) == "ecr-push|2019-11-16T01:54:34Z|latest"


def test_basic_scan_sample_is_untagged_and_missing_severities_count_zero(corpus: Path) -> None:
    event = classify(load(corpus, "ecr-events/image-scan-basic-complete-docs.json"))

    assert isinstance(event, EcrImageScanEvent)
    assert not event.failed
    counts = event.detail.finding_severity_counts
    assert (counts.critical, counts.high, counts.medium, counts.low) == (10, 0, 9, 0)
    assert (counts.informational, counts.undefined, counts.total) == (0, 0, None)
    ref = event.image_ref()
    assert ref.tags == ()
    assert ref.display() == f"my-repository-name@{DOC_DIGEST}"
    assert scan_marker(event) == "ecr-scan|2019-10-29T02:36:48Z"


def test_inspector_scan_takes_the_repository_from_its_arn(corpus: Path) -> None:
    event = classify(load(corpus, "inspector-events/inspector2-scan-ecr-initial-2021.json"))

    assert isinstance(event, Inspector2ScanEvent)
    assert event.detail.repository_name == (
        "arn:aws:ecr:us-east-2:123456789012:repository/amazon/amazon-ecs-sample"
    )
    ref = event.image_ref()
    assert (ref.repository, ref.digest, ref.tags) == (
        "amazon/amazon-ecs-sample",
        INSPECTOR_DIGEST,
        ("latest",),
    )
    assert scan_marker(event) == "inspector-scan|2021-12-03T18:03:16Z"


def test_inspector_total_is_kept_as_reported_not_summed(corpus: Path) -> None:
    event = classify(load(corpus, "inspector-events/inspector2-scan-ecr-initial-2021.json"))

    assert isinstance(event, Inspector2ScanEvent)
    counts = event.detail.finding_severity_counts
    assert counts.critical + counts.high + counts.medium == 130
    assert counts.total == 158
    assert counts.for_log()["TOTAL"] == 158


@pytest.mark.parametrize(
    "name",
    [
        "inspector-events/inspector2-finding-ecr-2021.json",
        "inspector-events/inspector2-finding-ecr-2021-current-page.json",
    ],
)
def test_inspector_finding_names_its_image_by_image_hash(corpus: Path, name: str) -> None:
    raw = load(corpus, name)

    event = classify(raw)

    assert isinstance(event, Inspector2FindingEvent)
    resource_arn = raw["detail"]["resources"][0]["id"]
    assert not resource_arn.endswith(INSPECTOR_DIGEST)  # the AWS sample's typo
    ref = event.image_ref()
    assert (ref.account, ref.region, ref.repository, ref.digest, ref.tags) == (
        "123456789012",
        "us-east-2",
        "amazon/amazon-ecs-sample",
        INSPECTOR_DIGEST,
        ("latest",),
    )


def test_inspector_finding_marker_is_the_finding_and_its_update(corpus: Path) -> None:
    event = classify(load(corpus, "inspector-events/inspector2-finding-ecr-2021.json"))

    assert isinstance(event, Inspector2FindingEvent)
    assert scan_marker(event) == (
        "inspector-finding|arn:aws:inspector2:us-east-2:123456789012:finding/"
        "be674aaddd0f75ac632055EXAMPLE|Dec 3, 2021, 6:02:30 PM|ACTIVE"
    )


def test_sample_event_ids_with_non_hex_letters_are_accepted(corpus: Path) -> None:
    event = classify(load(corpus, "inspector-events/inspector2-scan-ecr-initial-2021.json"))

    assert isinstance(event, Inspector2ScanEvent)
    assert event.id == "739c0d3c-4f02-85c7-5a88-94a9EXAMPLE"


def test_pull_through_sample_is_not_json_so_the_loader_refuses_it(corpus: Path) -> None:
    text = (corpus / INVALID_JSON).read_text(encoding="utf-8")

    with pytest.raises(json.JSONDecodeError) as raised:
        json.loads(text)

    # The trailing comma after the last detail field: the error points at the closing brace.
    lines = text.splitlines()
    last_comma_line = max(number for number, line in enumerate(lines, 1) if line.endswith('",'))
    assert raised.value.lineno == last_comma_line + 1
    assert lines[last_comma_line].strip() == "}"


def test_pull_through_event_as_aws_sends_it_is_ignored_despite_its_impossible_date(
    corpus: Path,
) -> None:
    text = (corpus / INVALID_JSON).read_text(encoding="utf-8")
    repaired = json.loads(text.replace('EXAMPLE",\n', 'EXAMPLE"\n'))

    outcome = classify(repaired)

    assert repaired["time"] == "2023-02-29T02:36:48Z"
    assert isinstance(outcome, IgnoredEvent)
    assert outcome.reason is IgnoreReason.UNHANDLED_DETAIL_TYPE
