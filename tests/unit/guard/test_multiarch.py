"""What a pushed manifest is, and how an index is judged from its platform images."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from ecr_guard.findings.model import ReportSource
from ecr_guard.guard.multiarch import describe_manifest, judge_image, judge_index
from ecr_guard.guard.ports import (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_INDEX,
    OCI_MANIFEST,
    Manifest,
)
from ecr_guard.guard.state import ChildRef, DecisionRecord, ImageKey, ImageKind, ImageState
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode

pytestmark = pytest.mark.corpus

KEY = ImageKey(account="123456789012", region="eu-west-1", repository="team/app", digest="sha256:i")


@pytest.mark.parametrize(
    ("sample", "media_type", "kind", "children"),
    [
        ("docker-image-manifest-v2-2.json", DOCKER_MANIFEST, ImageKind.IMAGE, 0),
        ("docker-manifest-list-v2-2.json", DOCKER_MANIFEST_LIST, ImageKind.INDEX, 2),
        ("oci-image-index-multiarch.json", OCI_INDEX, ImageKind.INDEX, 2),
        ("oci-image-index-nested-index.json", OCI_INDEX, ImageKind.INDEX, 2),
        ("notation-signature-manifest.json", OCI_MANIFEST, ImageKind.ARTIFACT, 0),
        ("oci-artifact-minimal-empty-config.json", OCI_MANIFEST, ImageKind.ARTIFACT, 0),
        ("oci-image-manifest-with-subject.json", OCI_MANIFEST, ImageKind.ARTIFACT, 0),
        ("oras-artifact-manifest-sbom-compact.json", OCI_MANIFEST, ImageKind.ARTIFACT, 0),
    ],
)
def test_published_manifests_are_told_apart(corpus, sample, media_type, kind, children):
    body = (corpus / "manifests" / sample).read_text()

    facts = describe_manifest(Manifest("sha256:x", body, media_type))

    assert facts.kind is kind
    assert len(facts.children) == children


def test_index_children_carry_their_platform_and_a_nested_index_is_no_member(corpus):
    body = (corpus / "manifests" / "oci-image-index-nested-index.json").read_text()

    children = describe_manifest(Manifest("sha256:x", body, OCI_INDEX)).children

    assert [(child.platform, child.is_member) for child in children] == [
        ("linux/ppc64le", True),
        (None, False),
    ]


def test_build_attestation_is_no_member():
    body = json.dumps(
        {
            "mediaType": OCI_INDEX,
            "manifests": [
                {
                    "digest": "sha256:a",
                    "platform": {"os": "unknown", "architecture": "unknown"},
                    "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
                }
            ],
        }
    )

    [child] = describe_manifest(Manifest("sha256:x", body, OCI_INDEX)).children

    assert child.attestation
    assert not child.is_member


def decided(digest: str, verdict: Verdict, *failing: str) -> ImageState:
    record = DecisionRecord(
        source=ReportSource.ECR_BASIC,
        verdict=verdict,
        outcome=verdict,
        fingerprint="sha256:p",
        at=datetime(2026, 12, 3, tzinfo=UTC),
        failing_ids=failing,
        mode=Mode.ENFORCE,
    )
    return ImageState(key=KEY.with_digest(digest), decisions={"ecr-basic": record})


INDEX = ImageState(
    key=KEY,
    kind=ImageKind.INDEX,
    children=(
        ChildRef(digest="sha256:amd64", platform="linux/amd64"),
        ChildRef(digest="sha256:arm64", platform="linux/arm64"),
        ChildRef(digest="sha256:att", platform="unknown/unknown", attestation=True),
    ),
)


def test_index_with_an_undecided_platform_is_pending():
    verdict = judge_index(INDEX, {"sha256:amd64": decided("sha256:amd64", Verdict.PASS)})

    assert verdict.pending
    assert verdict.undecided == ("sha256:arm64",)


def test_failing_platform_decides_the_index_at_once():
    verdict = judge_index(INDEX, {"sha256:arm64": decided("sha256:arm64", Verdict.FAIL, "CVE-1")})

    assert not verdict.pending
    assert verdict.outcome is Verdict.FAIL
    assert verdict.failing_ids == ("CVE-1",)


def test_index_is_its_worst_platform_and_ignores_attestations():
    children = {
        "sha256:amd64": decided("sha256:amd64", Verdict.PASS),
        "sha256:arm64": decided("sha256:arm64", Verdict.WARN),
    }

    verdict = judge_index(INDEX, children)

    assert (verdict.verdict, verdict.pending) == (Verdict.WARN, False)
    assert [(m.platform, m.verdict) for m in verdict.members] == [
        ("linux/amd64", Verdict.PASS),
        ("linux/arm64", Verdict.WARN),
    ]


def test_image_is_its_worst_source():
    passing = decided("sha256:i", Verdict.PASS)
    trivy = passing.decisions["ecr-basic"].model_copy(
        update={"source": ReportSource.TRIVY, "verdict": Verdict.FAIL, "outcome": Verdict.FAIL}
    )
    state = passing.model_copy(update={"decisions": {**passing.decisions, "trivy": trivy}})

    assert judge_image(state).outcome is Verdict.FAIL
    assert judge_image(ImageState(key=KEY)).pending
