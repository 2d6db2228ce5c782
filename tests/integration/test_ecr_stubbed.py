"""What moto lacks or gets wrong about ECR, answered by botocore's Stubber on the guard's own ECR
client (the ledger and the topic stay in moto): archive (UpdateImageStorageClass), enhanced
findings 100 a page, ImageTagAlreadyExists on immutable repositories, ImageAlreadyExists on a
repeated PutImage. Throttling needs botocore's retries, which a Stubber answer bypasses, so it
is injected one level lower, on `before-send`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import ANY, Stubber
from moto.core.botocore_stubber import MockRawResponse

from tests.integration.events import push_event, scan_event
from tests.integration.functions import GUARD, load_handler
from tests.integration.registry import (
    DOCKER_MANIFEST,
    OCI_INDEX,
    basic_finding,
    basic_findings,
    corpus_enhanced_findings,
    image_manifest,
    index_manifest,
)
from tests.integration.stack import ACCOUNT, REGION

REPO = "team/app"
FAILING = basic_findings([basic_finding("CVE-2026-0005", "CRITICAL")])
CLEAN = basic_findings([])
NOT_FOUND = {"Code": "LifecyclePolicyNotFoundException", "Message": "no lifecycle policy"}


def quarantine_tag(digest: str) -> str:
    return f"quarantine-sha256-{digest.removeprefix('sha256:')}"


@pytest.fixture
def cold_start(guard) -> Iterator[Callable[[], Stubber]]:
    """Cold-start the guard (with the environment set so far) and stub its ECR client."""
    started: list[Stubber] = []

    def start() -> Stubber:
        guard.module = load_handler(GUARD)
        stubber = Stubber(guard.module.runtime(ACCOUNT).clients.ecr(REGION))
        stubber.activate()
        started.append(stubber)
        return stubber

    yield start
    for stubber in started:
        stubber.deactivate()
        stubber.assert_no_pending_responses()


def image_id(digest: str) -> dict[str, str]:
    return {"imageDigest": digest}


def findings_page(digest: str, answer: dict[str, Any], token: str | None = None) -> dict:
    page = {"registryId": ACCOUNT, "repositoryName": REPO, "imageId": image_id(digest), **answer}
    if token:
        page["nextToken"] = token
    return page


def findings_request(digest: str, token: str | None = None) -> dict[str, Any]:
    """What the guard asks for each page: the largest page ECR serves."""
    params = {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "imageId": image_id(digest),
        "maxResults": 1000,
    }
    if token:
        params["nextToken"] = token
    return params


def expect_findings(stubber: Stubber, digest: str, answer: dict[str, Any]) -> None:
    stubber.add_response(
        "describe_image_scan_findings", findings_page(digest, answer), findings_request(digest)
    )


def expect_describe(stubber: Stubber, digest: str, tags: list[str], status: str = "ACTIVE"):
    stubber.add_response(
        "describe_images",
        {
            "imageDetails": [
                {
                    "registryId": ACCOUNT,
                    "repositoryName": REPO,
                    "imageDigest": digest,
                    "imageTags": tags,
                    "imageStatus": status,
                    "imageManifestMediaType": DOCKER_MANIFEST,
                }
            ]
        },
        {"registryId": ACCOUNT, "repositoryName": REPO, "imageIds": [image_id(digest)]},
    )


def expect_storage_class(stubber: Stubber, digest: str, target: str) -> None:
    stubber.add_response(
        "update_image_storage_class",
        {
            "registryId": ACCOUNT,
            "repositoryName": REPO,
            "imageId": image_id(digest),
            "imageStatus": "ARCHIVED" if target == "ARCHIVE" else "ACTIVATING",
        },
        {
            "registryId": ACCOUNT,
            "repositoryName": REPO,
            "imageId": image_id(digest),
            "targetStorageClass": target,
        },
    )


def expect_manifest(stubber: Stubber, digest: str, body: str) -> None:
    stubber.add_response(
        "batch_get_image",
        {
            "images": [
                {
                    "registryId": ACCOUNT,
                    "repositoryName": REPO,
                    "imageId": image_id(digest),
                    "imageManifest": body,
                    "imageManifestMediaType": DOCKER_MANIFEST,
                }
            ],
            "failures": [],
        },
        {
            "registryId": ACCOUNT,
            "repositoryName": REPO,
            "imageIds": [image_id(digest)],
            "acceptedMediaTypes": ANY,
        },
    )


def expect_team(stubber: Stubber) -> None:
    stubber.add_response(
        "list_tags_for_resource",
        {"tags": [{"Key": "team", "Value": "payments"}]},
        {"resourceArn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{REPO}"},
    )


def put_params(digest: str, body: str, tag: str) -> dict[str, Any]:
    return {
        "registryId": ACCOUNT,
        "repositoryName": REPO,
        "imageManifest": body,
        "imageManifestMediaType": DOCKER_MANIFEST,
        "imageDigest": digest,
        "imageTag": tag,
    }


def put_answer(digest: str, body: str, tag: str) -> dict[str, Any]:
    return {
        "image": {
            "registryId": ACCOUNT,
            "repositoryName": REPO,
            "imageId": {"imageDigest": digest, "imageTag": tag},
            "imageManifest": body,
        }
    }


def test_archive_quarantine_moves_the_image_to_the_archive_class(
    guard, pushed, cold_start, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_QUARANTINE_METHOD", "archive")
    stub = cold_start()
    digest = pushed("1.2.3")
    expect_findings(stub, digest, FAILING)
    expect_describe(stub, digest, ["1.2.3"])
    expect_storage_class(stub, digest, "ARCHIVE")
    expect_team(stub)

    guard(scan_event(REPO, digest, ["1.2.3"]))

    quarantine = stack.state(REGION, REPO, digest)["quarantine"]
    assert (quarantine["method"], quarantine["storage_class_before"]) == ("archive", "STANDARD")
    assert quarantine["complete"] is True
    [notification] = stack.notifications()
    assert notification.body["action"]["method"] == "archive"
    assert notification.body["action"]["performed"] is True


def test_archived_image_is_restored_on_a_later_pass(guard, pushed, cold_start, stack, monkeypatch):
    monkeypatch.setenv("ECR_GUARD_QUARANTINE_METHOD", "archive")
    stub = cold_start()
    digest = pushed("1.2.3")
    expect_findings(stub, digest, FAILING)
    expect_describe(stub, digest, ["1.2.3"])
    expect_storage_class(stub, digest, "ARCHIVE")
    expect_team(stub)
    guard(scan_event(REPO, digest, ["1.2.3"]))
    stack.notifications()
    expect_findings(stub, digest, CLEAN)
    expect_storage_class(stub, digest, "STANDARD")

    guard(scan_event(REPO, digest, ["1.2.3"]))

    assert stack.state(REGION, REPO, digest)["quarantine"]["status"] == "RELEASED"
    [notification] = stack.notifications()
    assert notification.body["action"]["kind"] == "release"


def test_every_page_of_enhanced_findings_is_read(
    *, corpus, guard, pushed, cold_start, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    stub = cold_start()
    digest = pushed("1.2.3")
    every = corpus_enhanced_findings(corpus, copies=237)
    findings = every["imageScanFindings"]["enhancedFindings"]
    pages = [findings[0:100], findings[100:200], findings[200:237]]
    for number, page in enumerate(pages):
        answer = {**every, "imageScanFindings": {"enhancedFindings": page}}
        params = findings_request(digest, f"token-{number}" if number else None)
        token = f"token-{number + 1}" if number < 2 else None
        stub.add_response(
            "describe_image_scan_findings", findings_page(digest, answer, token), params
        )
    expect_team(stub)

    guard(scan_event(REPO, digest, ["1.2.3"]))

    decision = stack.state(REGION, REPO, digest)["decision#ecr-enhanced"]
    assert len(decision["failing_ids"]) == 237 + 1  # the findings and the rule
    [notification] = stack.notifications()
    assert notification.body["counts"]["total"] == 237


def test_basic_findings_are_read_a_thousand_a_page(
    *, guard, pushed, cold_start, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_MODE", "audit")
    stub = cold_start()
    digest = pushed("1.2.3")
    every = basic_findings(
        [basic_finding(f"CVE-2026-{number:05d}", "MEDIUM") for number in range(1200)]
    )
    findings = every["imageScanFindings"]["findings"]
    for number, page in enumerate((findings[:1000], findings[1000:])):
        answer = {**every, "imageScanFindings": {**every["imageScanFindings"], "findings": page}}
        stub.add_response(
            "describe_image_scan_findings",
            findings_page(digest, answer, None if number else "token-1"),
            findings_request(digest, "token-1" if number else None),
        )
    expect_team(stub)

    guard(scan_event(REPO, digest, ["1.2.3"]))

    [notification] = stack.notifications()
    assert notification.body["counts"]["total"] == 1200


def test_error_on_a_later_page_is_never_a_partial_evaluation(
    corpus, guard, pushed, cold_start, stack
):
    stub = cold_start()
    digest = pushed("1.2.3")
    every = corpus_enhanced_findings(corpus, copies=1)
    stub.add_response("describe_image_scan_findings", findings_page(digest, every, "token-1"), None)
    stub.add_client_error("describe_image_scan_findings", "ServerException", "internal error", 500)

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    assert guard.failed_messages(run) == ["message-0"]
    assert "decision#ecr-enhanced" not in stack.state(REGION, REPO, digest)
    assert stack.notifications() == []


def test_immutable_repository_refusing_the_quarantine_tag_names_the_exclusion(
    guard, pushed, cold_start, stack
):
    stub = cold_start()
    digest = pushed("1.2.3")
    body = image_manifest("immutable")
    expect_findings(stub, digest, FAILING)
    expect_describe(stub, digest, ["1.2.3"])
    stub.add_client_error("get_lifecycle_policy", NOT_FOUND["Code"], NOT_FOUND["Message"], 400)
    expect_manifest(stub, digest, body)
    stub.add_client_error(
        "put_image",
        "ImageTagAlreadyExistsException",
        "The image tag already exists and the repository is immutable",
        400,
        expected_params=put_params(digest, body, quarantine_tag(digest)),
    )

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    assert guard.failed_messages(run) == ["message-0"]
    [refused] = run.output.messages("quarantine refused")
    assert refused["level"] == "ERROR"
    assert "IMMUTABLE_WITH_EXCLUSION" in refused["error"]
    assert "'quarantine-sha256-*'" in refused["error"]
    assert run.output.metrics["Errors"] == 1
    assert stack.notifications() == []


def test_repeated_put_image_counts_as_done(guard, pushed, cold_start, stack):
    stub = cold_start()
    digest = pushed("1.2.3")
    body = image_manifest("repeated")
    expect_findings(stub, digest, FAILING)
    expect_describe(stub, digest, ["1.2.3"])
    stub.add_client_error("get_lifecycle_policy", NOT_FOUND["Code"], NOT_FOUND["Message"], 400)
    expect_manifest(stub, digest, body)
    stub.add_client_error(
        "put_image",
        "ImageAlreadyExistsException",
        "Image already exists",
        400,
        expected_params=put_params(digest, body, quarantine_tag(digest)),
    )
    stub.add_response(
        "batch_delete_image",
        {"imageIds": [{"imageDigest": digest, "imageTag": "1.2.3"}], "failures": []},
        {
            "registryId": ACCOUNT,
            "repositoryName": REPO,
            "imageIds": [{"imageDigest": digest, "imageTag": "1.2.3"}],
        },
    )
    expect_team(stub)

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    assert run.response == {"batchItemFailures": []}
    assert stack.state(REGION, REPO, digest)["quarantine"]["complete"] is True
    [notification] = stack.notifications()
    assert notification.body["action"]["performed"] is True


def test_verified_tag_refused_by_an_immutable_repository_is_reported_not_a_crash(
    guard, pushed, cold_start, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_VERIFIED_TAG", "verified")
    stub = cold_start()
    digest = pushed("1.2.3")
    body = image_manifest("verified")
    expect_findings(stub, digest, CLEAN)
    expect_manifest(stub, digest, body)
    stub.add_client_error(
        "put_image",
        "ImageTagAlreadyExistsException",
        "immutable",
        400,
        expected_params=put_params(digest, body, "verified"),
    )

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    assert run.response == {"batchItemFailures": []}
    [refused] = run.output.messages("verified tag refused")
    assert refused["level"] == "ERROR"
    [action] = stack.history(REGION, REPO, digest, "action#")
    assert "IMMUTABLE_WITH_EXCLUSION" in action["error"]
    assert "verified_tag" not in stack.state(REGION, REPO, digest)


def test_throttled_put_image_is_retried_by_botocore_until_it_succeeds(
    guard, pushed, registry, stack, monkeypatch
):
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda *_: 0)
    digest = pushed("1.2.3")
    registry.set_findings(REPO, digest, FAILING)
    guard.module = load_handler(GUARD)
    client = guard.module.runtime(ACCOUNT).clients.ecr(REGION)
    attempts: list[str] = []

    def throttle_twice(request: Any, **_: Any) -> AWSResponse | None:
        attempts.append(json.loads(request.body)["imageTag"])
        if len(attempts) > 2:
            return None  # let moto answer
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
        return AWSResponse(request.url, 400, {}, MockRawResponse(body))

    client.meta.events.register_first("before-send.ecr.PutImage", throttle_twice)

    run = guard(scan_event(REPO, digest, ["1.2.3"]))

    assert run.response == {"batchItemFailures": []}
    assert attempts == [quarantine_tag(digest)] * 3
    assert registry.tags(REPO, digest) == {quarantine_tag(digest)}


def test_archiving_an_index_archives_its_platform_images_too(
    *, guard, registry, push_recorder, cold_start, stack, monkeypatch
):
    monkeypatch.setenv("ECR_GUARD_QUARANTINE_METHOD", "archive")
    stub = cold_start()
    registry.create_repository(REPO)
    amd64 = registry.push_image(REPO, seed="amd64")
    arm64 = registry.push_image(REPO, seed="arm64")
    index = registry.put(
        REPO, index_manifest([(amd64, "linux/amd64"), (arm64, "linux/arm64")]), OCI_INDEX, "1.0"
    )
    for digest, tag in ((amd64, None), (arm64, None), (index, "1.0")):
        push_recorder(push_event(REPO, digest, tag))
    expect_findings(stub, arm64, FAILING)
    expect_describe(stub, index, ["1.0"])
    for digest in (index, amd64, arm64):
        expect_storage_class(stub, digest, "ARCHIVE")
    expect_team(stub)

    guard(scan_event(REPO, arm64))

    quarantine = stack.state(REGION, REPO, index)["quarantine"]
    assert quarantine["method"] == "archive"
    assert quarantine["archived_children"] == [amd64, arm64]
    assert stack.state(REGION, REPO, arm64).get("quarantine") is None
