"""Multi-architecture images: an index with two platform images and a build attestation.

The platform images are untagged and scanned on their own; the index carries the tag and is
judged by its worst platform image. Actions apply to the index's tags, never to a child.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.integration.events import push_event, scan_event
from tests.integration.registry import OCI_INDEX, basic_finding, basic_findings, index_manifest
from tests.integration.stack import REGION

REPO = "team/app"
FAILING = basic_findings([basic_finding("CVE-2026-0002", "HIGH", "zlib")])
CLEAN = basic_findings([])


@dataclass(frozen=True)
class MultiArch:
    index: str
    amd64: str
    arm64: str
    attestation: str
    body: str

    @property
    def quarantine_tag(self) -> str:
        return f"quarantine-sha256-{self.index.removeprefix('sha256:')}"


@pytest.fixture
def built(registry) -> MultiArch:
    """What `docker buildx build --platform linux/amd64,linux/arm64 --push` stores."""
    registry.create_repository(REPO)
    amd64 = registry.push_image(REPO, seed="amd64")
    arm64 = registry.push_image(REPO, seed="arm64")
    attestation = registry.push_image(REPO, seed="attestation")
    body = index_manifest([(amd64, "linux/amd64"), (arm64, "linux/arm64")], [attestation])
    index = registry.put(REPO, body, OCI_INDEX, "1.0")
    return MultiArch(index, amd64, arm64, attestation, body)


@pytest.fixture
def recorded(built, push_recorder, stack) -> MultiArch:
    """The pushes recorded in buildx's order: untagged children first, the tagged index last."""
    for child in (built.amd64, built.arm64, built.attestation):
        push_recorder(push_event(REPO, child))
    push_recorder(push_event(REPO, built.index, "1.0"))
    return built


def test_push_recorder_records_the_index_its_platforms_and_asks_for_an_evaluation(recorded, stack):
    index = stack.state(REGION, REPO, recorded.index)
    assert index["kind"] == "index"
    assert index["tags_seen"] == {"1.0"}
    children = {child["digest"]: child for child in index["children"]}
    assert children[recorded.amd64]["platform"] == "linux/amd64"
    assert children[recorded.arm64]["platform"] == "linux/arm64"
    assert children[recorded.attestation]["attestation"] is True
    assert stack.state(REGION, REPO, recorded.arm64)["parents"] == {recorded.index}
    [request] = stack.queued_requests()
    assert request["detail-type"] == "Evaluate Index"
    assert request["detail"]["index-digest"] == recorded.index
    assert request["detail"]["image-tags"] == ["1.0"]


def test_push_recorder_links_only_the_platform_images_to_the_index(recorded, stack):
    assert stack.state(REGION, REPO, recorded.amd64)["parents"] == {recorded.index}
    assert "parents" not in stack.state(REGION, REPO, recorded.attestation)


def test_index_waits_for_its_other_platform_before_acting(guard, recorded, registry, stack):
    registry.set_findings(REPO, recorded.amd64, CLEAN)

    run = guard(scan_event(REPO, recorded.amd64))

    [decision] = run.output.decisions()
    assert decision["pending"] is True
    assert decision["subject"] == recorded.index
    assert stack.notifications() == []
    assert registry.tags(REPO, recorded.index) == {"1.0"}


def test_failing_platform_quarantines_the_index_tags_and_never_the_child(
    guard, recorded, registry, stack
):
    registry.set_findings(REPO, recorded.amd64, CLEAN)
    guard(scan_event(REPO, recorded.amd64))
    registry.set_findings(REPO, recorded.arm64, FAILING)

    run = guard(scan_event(REPO, recorded.arm64))

    assert registry.tags(REPO, recorded.index) == {recorded.quarantine_tag}
    assert registry.tags(REPO, recorded.arm64) == set()
    assert registry.exists(REPO, recorded.arm64)
    assert stack.state(REGION, REPO, recorded.arm64).get("quarantine") is None
    assert stack.state(REGION, REPO, recorded.index)["quarantine"]["removed_tags"] == {"1.0"}
    assert run.output.decisions()[0]["subject"] == recorded.index
    [notification] = stack.notifications()
    assert notification.subject == "[ecr-guard] FAIL team/app:1.0 quarantined"
    image = notification.body["image"]
    assert image["kind"] == "index"
    assert image["digest"] == recorded.index
    assert image["evaluated_digest"] == recorded.arm64
    assert {(p["platform"], p["verdict"]) for p in image["platforms"]} == {
        ("linux/amd64", "PASS"),
        ("linux/arm64", "FAIL"),
    }


def test_failing_platform_acts_at_once_even_with_the_other_platform_undecided(
    guard, recorded, registry, stack
):
    registry.set_findings(REPO, recorded.arm64, FAILING)

    guard(scan_event(REPO, recorded.arm64))

    assert registry.tags(REPO, recorded.index) == {recorded.quarantine_tag}
    assert len(stack.notifications()) == 1


def test_later_pass_of_the_platform_releases_the_index_with_exactly_its_tags(
    guard, recorded, registry, stack
):
    registry.set_findings(REPO, recorded.amd64, CLEAN)
    guard(scan_event(REPO, recorded.amd64))
    registry.set_findings(REPO, recorded.arm64, FAILING)
    guard(scan_event(REPO, recorded.arm64))
    stack.notifications()
    registry.set_findings(REPO, recorded.arm64, CLEAN)

    guard(scan_event(REPO, recorded.arm64))

    assert registry.tags(REPO, recorded.index) == {"1.0"}
    assert stack.state(REGION, REPO, recorded.index)["quarantine"]["status"] == "RELEASED"
    [notification] = stack.notifications()
    assert notification.body["action"]["kind"] == "release"
    assert notification.body["action"]["tags_restored"] == ["1.0"]


def test_index_whose_platforms_were_scanned_before_its_push_is_judged_on_request(
    guard, built, push_recorder, registry, stack
):
    for child in (built.amd64, built.arm64):
        push_recorder(push_event(REPO, child))
    registry.set_findings(REPO, built.amd64, CLEAN)
    registry.set_findings(REPO, built.arm64, FAILING)
    early = guard(scan_event(REPO, built.amd64), scan_event(REPO, built.arm64))
    assert [d["pending"] for d in early.output.decisions()] == [True, True]
    assert registry.tags(REPO, built.arm64) == set()
    assert stack.notifications() == []

    push_recorder(push_event(REPO, built.index, "1.0"))
    [request] = stack.queued_requests()
    run = guard(request)

    assert registry.tags(REPO, built.index) == {built.quarantine_tag}
    [decision] = run.output.decisions()
    assert decision["source"] == "evaluate-index"
    assert decision["verdict"] == "FAIL"
    [notification] = stack.notifications()
    assert notification.body["image"]["kind"] == "index"
    assert notification.body["rules"][0]["id"] == "medium-or-worse"


def test_attestation_manifest_is_not_waited_for(guard, recorded, registry, stack):
    registry.set_findings(REPO, recorded.amd64, CLEAN)
    registry.set_findings(REPO, recorded.arm64, CLEAN)

    run = guard(scan_event(REPO, recorded.amd64), scan_event(REPO, recorded.arm64))

    assert [d["pending"] for d in run.output.decisions()] == [True, False]
    assert run.output.decisions()[1]["subject_verdict"] == "PASS"
    assert stack.notifications() == []
