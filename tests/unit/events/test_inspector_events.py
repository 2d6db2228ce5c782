"""Inspector events written by hand: EC2 findings, findings without `updatedAt`, ARN names."""

from __future__ import annotations

from typing import Any

import pytest
from ecr_guard.errors import EventError
from ecr_guard.events import (
    IgnoredEvent,
    IgnoreReason,
    Inspector2FindingEvent,
    Inspector2ScanEvent,
    classify,
)

from tests.unit.events.samples import ACCOUNT, DIGEST, envelope

REPOSITORY_ARN = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/team/app"


def finding(resources: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    detail = {
        "findingArn": f"arn:aws:inspector2:eu-west-1:{ACCOUNT}:finding/0a1b2c3d4e5f",
        "awsAccountId": ACCOUNT,
        "type": "PACKAGE_VULNERABILITY",
        "status": "ACTIVE",
        "severity": "HIGH",
        "title": "CVE-2024-0001 - openssl",
        "updatedAt": "Wed Sep 04 16:55:38.411 UTC 2024",
        "resources": resources,
    }
    return envelope("aws.inspector2", "Inspector2 Finding", detail | fields)


def ecr_resource(**image: Any) -> dict[str, Any]:
    details = {
        "repositoryName": "team/app",
        "imageHash": DIGEST,
        "registry": "444455556666",
        "imageTags": [],
    }
    return {
        "type": "AWS_ECR_CONTAINER_IMAGE",
        "id": f"{REPOSITORY_ARN}/{DIGEST}",
        "details": {"awsEcrContainerImage": details | image},
    }


def test_finding_about_an_ec2_instance_is_ignored() -> None:
    resources = [{"type": "AWS_EC2_INSTANCE", "id": "i-087d63509b8c97098", "details": {}}]

    outcome = classify(finding(resources))

    assert isinstance(outcome, IgnoredEvent)
    assert outcome.reason is IgnoreReason.NOT_AN_ECR_IMAGE
    assert outcome.note == "resource types AWS_EC2_INSTANCE"


def test_finding_image_belongs_to_its_registry_account() -> None:
    event = classify(finding([ecr_resource()]))

    assert isinstance(event, Inspector2FindingEvent)
    ref = event.image_ref()
    assert (ref.account, ref.region, ref.repository, ref.digest, ref.tags) == (
        "444455556666",
        "eu-west-1",
        "team/app",
        DIGEST,
        (),
    )


def test_closed_finding_is_handled_and_its_marker_differs_from_the_active_one() -> None:
    active = classify(finding([ecr_resource()]))
    closed = classify(
        finding([ecr_resource()], status="CLOSED", updatedAt="Thu Sep 05 08:00:00.000 UTC 2024")
    )

    assert isinstance(active, Inspector2FindingEvent)
    assert isinstance(closed, Inspector2FindingEvent)
    assert closed.detail.status == "CLOSED"
    assert closed.scan_marker() != active.scan_marker()


def test_finding_without_updated_at_falls_back_to_last_observed() -> None:
    raw = finding([ecr_resource()], lastObservedAt="Dec 3, 2021, 6:02:30 PM")
    del raw["detail"]["updatedAt"]

    event = classify(raw)

    assert isinstance(event, Inspector2FindingEvent)
    assert event.scan_marker().endswith("|Dec 3, 2021, 6:02:30 PM|ACTIVE")


def test_finding_ecr_resource_without_image_details_is_malformed() -> None:
    resource = ecr_resource()
    del resource["details"]

    with pytest.raises(EventError) as raised:
        classify(finding([resource]))

    assert raised.value.location == "detail.resources[0]"
    assert "details.awsEcrContainerImage" in raised.value.message


def test_finding_image_without_image_hash_is_malformed() -> None:
    resource = ecr_resource()
    del resource["details"]["awsEcrContainerImage"]["imageHash"]

    with pytest.raises(EventError) as raised:
        classify(finding([resource]))

    assert raised.value.location == "detail.resources[0].details.awsEcrContainerImage.imageHash"


def test_scan_with_plain_repository_name_is_accepted() -> None:
    detail = {"scan-status": "INITIAL_SCAN_COMPLETE", "repository-name": "team/app"}
    raw = envelope("aws.inspector2", "Inspector2 Scan", detail | {"image-digest": DIGEST})

    event = classify(raw)

    assert isinstance(event, Inspector2ScanEvent)
    assert event.detail.repository == "team/app"


def test_scan_naming_a_non_ecr_arn_is_malformed() -> None:
    detail = {
        "scan-status": "INITIAL_SCAN_COMPLETE",
        "repository-name": "arn:aws:lambda:eu-west-1:111122223333:function:f",
        "image-digest": DIGEST,
    }

    with pytest.raises(EventError) as raised:
        classify(envelope("aws.inspector2", "Inspector2 Scan", detail))

    assert raised.value.location == "detail.repository-name"


def test_ec2_scan_is_ignored() -> None:
    detail = {"scan-status": "INITIAL_SCAN_COMPLETE", "instance-id": "i-087d63509b8c97098"}

    outcome = classify(envelope("aws.inspector2", "Inspector2 Scan", detail))

    assert isinstance(outcome, IgnoredEvent)
    assert outcome.reason is IgnoreReason.NOT_AN_ECR_IMAGE
