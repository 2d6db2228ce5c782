"""Multi-architecture images: what a manifest is, and how an index is judged from its children.

A tag on an OCI index or Docker manifest list cannot be scanned itself: each platform manifest
is a separate, untagged image with its own digest and its own findings. The guard judges the
index by its worst child, and acts on the index's tags only, never on a child alone.

Build attestations (`platform: unknown/unknown`, annotation `vnd.docker.reference.type:
attestation-manifest`) are not runnable images and do not count. Referrers (signatures, SBOMs:
a manifest with a `subject`, an `artifactType`, or a config that is not an image config) are
artifacts the guard never judges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecr_guard.guard.ports import INDEX_MEDIA_TYPES, Manifest
from ecr_guard.guard.state import ChildRef, DecisionRecord, ImageKind, ImageState
from ecr_guard.policy.decision import Verdict

ATTESTATION_ANNOTATION = "vnd.docker.reference.type"
ATTESTATION_TYPE = "attestation-manifest"
UNKNOWN_PLATFORM = "unknown/unknown"
IMAGE_CONFIG_MEDIA_TYPES = frozenset(
    {
        "application/vnd.docker.container.image.v1+json",
        "application/vnd.oci.image.config.v1+json",
    }
)


@dataclass(frozen=True)
class ManifestFacts:
    """What a pushed manifest is, and for an index, what it lists."""

    kind: ImageKind
    children: tuple[ChildRef, ...] = ()


def describe_manifest(manifest: Manifest) -> ManifestFacts:
    """Tell an image from an index and from a referrer artifact."""
    document = manifest.document()
    if manifest.is_index or isinstance(document.get("manifests"), list):
        return ManifestFacts(ImageKind.INDEX, tuple(_children(document)))
    if _is_artifact(document):
        return ManifestFacts(ImageKind.ARTIFACT)
    return ManifestFacts(ImageKind.IMAGE)


def _is_artifact(document: Mapping[str, Any]) -> bool:
    if document.get("subject") or document.get("artifactType"):
        return True
    config = document.get("config")
    config_type = config.get("mediaType") if isinstance(config, dict) else None
    # OCI says an artifact without artifactType is typed by its config media type.
    return config_type is not None and config_type not in IMAGE_CONFIG_MEDIA_TYPES


def _children(document: Mapping[str, Any]) -> list[ChildRef]:
    children = []
    for entry in document.get("manifests", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("digest"), str):
            continue
        platform = _platform(entry.get("platform"))
        annotations = entry.get("annotations")
        annotations = annotations if isinstance(annotations, dict) else {}
        media_type = entry.get("mediaType")
        children.append(
            ChildRef(
                digest=entry["digest"],
                platform=platform,
                media_type=media_type if isinstance(media_type, str) else None,
                attestation=annotations.get(ATTESTATION_ANNOTATION) == ATTESTATION_TYPE
                or platform == UNKNOWN_PLATFORM,
                # NOTE: an index nested in an index is recorded but not judged as a member: its
                # own platform images count for it, not for the outer index.
                nested_index=media_type in INDEX_MEDIA_TYPES,
            )
        )
    return children


def _platform(value: object) -> str | None:
    """`os/architecture[/variant]`, as docker prints platforms."""
    if not isinstance(value, dict):
        return None
    parts = [value.get("os"), value.get("architecture"), value.get("variant")]
    return "/".join(str(part) for part in parts if part) or None


@dataclass(frozen=True)
class MemberVerdict:
    """One platform of an index, with its worst latest decision (None: not decided yet)."""

    digest: str
    platform: str | None
    verdict: Verdict | None
    outcome: Verdict | None


@dataclass(frozen=True)
class SubjectVerdict:
    """How a subject (an image, or an index through its children) stands now."""

    verdict: Verdict
    outcome: Verdict
    pending: bool
    members: tuple[MemberVerdict, ...] = ()
    rule_ids: tuple[str, ...] = ()
    failing_ids: tuple[str, ...] = ()
    worst: DecisionRecord | None = None

    @property
    def undecided(self) -> tuple[str, ...]:
        return tuple(member.digest for member in self.members if member.verdict is None)


def judge_image(state: ImageState) -> SubjectVerdict:
    """A stand-alone image: the worst of its latest decisions across sources."""
    worst = state.worst_decision()
    if worst is None:
        return SubjectVerdict(Verdict.PASS, Verdict.PASS, pending=True)
    verdict = Verdict.worst([record.verdict for record in state.decisions.values()])
    rule_ids = sorted({rule for record in state.decisions.values() for rule in record.rule_ids})
    failing = sorted({found for record in state.decisions.values() for found in record.failing_ids})
    return SubjectVerdict(
        verdict,
        worst.outcome,
        pending=False,
        rule_ids=tuple(rule_ids),
        failing_ids=tuple(failing),
        worst=worst,
    )


def judge_index(index: ImageState, children: Mapping[str, ImageState | None]) -> SubjectVerdict:
    """An index: the worst of its member children's verdicts.

    Pending when some member has no decision yet and nothing decided so far is a FAIL: the
    missing children's own scan events complete it. A FAIL is acted on at once.
    """
    members = []
    for child in index.members:
        state = children.get(child.digest)
        worst = state.worst_decision() if state else None
        verdict = (
            Verdict.worst([record.verdict for record in state.decisions.values()])
            if state and worst
            else None
        )
        members.append(
            MemberVerdict(child.digest, child.platform, verdict, worst.outcome if worst else None)
        )
    decided = [member for member in members if member.outcome is not None]
    outcome = Verdict.worst([member.outcome for member in decided if member.outcome])
    verdict = Verdict.worst([member.verdict for member in decided if member.verdict])
    undecided = len(decided) < len(members) or not members
    records = [
        record
        for state in children.values()
        if state is not None
        for record in state.decisions.values()
    ]
    worst = max(
        records, key=lambda record: (record.outcome.rank, record.verdict.rank), default=None
    )
    return SubjectVerdict(
        verdict=verdict,
        outcome=outcome,
        pending=undecided and outcome is not Verdict.FAIL,
        worst=worst,
        members=tuple(members),
        rule_ids=tuple(sorted({rule for record in records for rule in record.rule_ids})),
        failing_ids=tuple(sorted({found for record in records for found in record.failing_ids})),
    )
