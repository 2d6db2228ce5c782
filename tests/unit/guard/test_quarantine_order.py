"""The order of a retag quarantine and of a release, on in-memory fakes of ECR and the ledger:
the tags are recorded before anything is removed, the quarantine tag comes first, and the
image is never left untagged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from ecr_guard.errors import ImmutableTagError
from ecr_guard.guard.config import GuardSettings
from ecr_guard.guard.ports import ImageDetails, Manifest, PutOutcome, StorageClass, TagLookup
from ecr_guard.guard.quarantine import Quarantiner
from ecr_guard.guard.state import ImageKey, ImageState, QuarantineRecord
from ecr_guard.policy.model import Mode

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
DIGEST = "sha256:" + "c" * 64
KEY = ImageKey(account="123456789012", region="eu-west-1", repository="team/app", digest=DIGEST)
QTAG = "quarantine-sha256-" + "c" * 64


class Journal(list[str]):
    """What happened, in order, across both fakes."""


class FakeEcr:
    def __init__(self, journal: Journal, tags: set[str], elsewhere: Mapping[str, str] = {}):
        self.journal = journal
        self.tags = set(tags)
        self.elsewhere = dict(elsewhere)
        self.refuse_tags = False

    def describe_image(self, image: ImageKey) -> ImageDetails:
        self.journal.append("ecr:describe")
        return ImageDetails(digest=image.digest, tags=tuple(sorted(self.tags)))

    def get_manifest(self, image: ImageKey) -> Manifest:
        self.journal.append("ecr:manifest")
        return Manifest(image.digest, "{}", "application/vnd.oci.image.manifest.v1+json")

    def lookup_tags(self, image: ImageKey, tags: Iterable[str]) -> TagLookup:
        self.journal.append("ecr:lookup")
        where = {
            tag: (image.digest if tag in self.tags else self.elsewhere.get(tag)) for tag in tags
        }
        return TagLookup(self.get_manifest(image), where)

    def put_tag(self, image: ImageKey, manifest: Manifest, tag: str) -> PutOutcome:
        if self.refuse_tags:
            raise ImmutableTagError("refused")
        self.journal.append(f"ecr:put {tag}")
        self.tags.add(tag)
        return PutOutcome.TAGGED

    def remove_tags(self, image: ImageKey, tags: Iterable[str]) -> tuple[str, ...]:
        removed = tuple(tag for tag in tags if tag in self.tags)
        self.journal.append(f"ecr:remove {','.join(removed)}")
        self.tags -= set(removed)
        assert self.tags, "the image was left untagged"
        return removed

    def lifecycle_policy(self, image: ImageKey) -> dict[str, Any] | None:
        return None

    def set_storage_class(self, image: ImageKey, target: StorageClass) -> str | None:
        self.journal.append(f"ecr:storage {target}")
        return None


class FakeLedger:
    def __init__(self, journal: Journal):
        self.journal = journal
        self.records: list[QuarantineRecord] = []

    def save_quarantine(self, key: ImageKey, record: QuarantineRecord, *, expected_revision: int):
        self.journal.append(f"ledger:quarantine complete={record.complete}")
        self.records.append(record)
        return expected_revision + 1

    def record_action(self, key: ImageKey, *, kind: str, at: datetime, details: Any) -> None:
        self.journal.append(f"ledger:action {kind}")


def quarantiner(ecr: FakeEcr, ledger: FakeLedger) -> Quarantiner:
    return Quarantiner(ecr, ledger, GuardSettings.from_environ({}, role="cli"))  # type: ignore[arg-type]


def test_tags_are_recorded_then_the_quarantine_tag_added_then_the_tags_removed():
    journal = Journal()
    ecr, ledger = FakeEcr(journal, {"1.2.3", "latest"}), FakeLedger(journal)

    quarantiner(ecr, ledger).quarantine(
        ImageState(key=KEY), mode=Mode.ENFORCE, rule_ids=["r"], now=NOW
    )

    assert journal == [
        "ecr:describe",
        "ledger:quarantine complete=False",
        "ecr:manifest",
        f"ecr:put {QTAG}",
        "ecr:remove 1.2.3,latest",
        "ledger:quarantine complete=True",
        "ledger:action quarantine",
    ]
    assert ledger.records[0].removed_tags == {"1.2.3", "latest"}
    assert ecr.tags == {QTAG}


def test_second_attempt_unites_the_tags_recorded_by_the_first():
    journal = Journal()
    earlier = QuarantineRecord(
        status="QUARANTINED", method="retag", quarantine_tag=QTAG, removed_tags={"1.2.3"}, at=NOW
    )
    ecr, ledger = FakeEcr(journal, {"hotfix", QTAG}), FakeLedger(journal)

    quarantiner(ecr, ledger).quarantine(
        ImageState(key=KEY, quarantine=earlier), mode=Mode.ENFORCE, rule_ids=[], now=NOW
    )

    assert ledger.records[0].removed_tags == {"1.2.3", "hotfix"}
    assert f"ecr:put {QTAG}" not in journal


def test_immutable_refusal_names_the_exclusion_and_removes_nothing():
    journal = Journal()
    ecr, ledger = FakeEcr(journal, {"1.2.3"}), FakeLedger(journal)
    ecr.refuse_tags = True

    with pytest.raises(ImmutableTagError, match="'quarantine-sha256-\\*'"):
        quarantiner(ecr, ledger).quarantine(
            ImageState(key=KEY), mode=Mode.ENFORCE, rule_ids=[], now=NOW
        )

    assert ecr.tags == {"1.2.3"}


def test_release_restores_free_tags_skips_moved_ones_then_drops_the_quarantine_tag():
    journal = Journal()
    record = QuarantineRecord(
        status="QUARANTINED",
        method="retag",
        quarantine_tag=QTAG,
        removed_tags={"1.2.3", "latest"},
        at=NOW,
        complete=True,
    )
    ecr = FakeEcr(journal, {QTAG}, elsewhere={"latest": "sha256:" + "d" * 64})
    ledger = FakeLedger(journal)

    result = quarantiner(ecr, ledger).release(
        ImageState(key=KEY, quarantine=record), now=NOW, by="test"
    )

    assert result.tags_restored == ("1.2.3",)
    assert result.tags_skipped == ("latest",)
    assert journal.index("ecr:put 1.2.3") < journal.index(f"ecr:remove {QTAG}")
    assert ecr.tags == {"1.2.3"}
    assert ledger.records[-1].status == "RELEASED"
