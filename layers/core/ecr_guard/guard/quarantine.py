"""Quarantine, release and the verified tag: the only places the guard changes ECR.

Retag quarantine, in this order, so that nothing is ever lost:
1. read the image's current tags (the ledger may be stale);
2. write the tags to remove into the ledger, united with any recorded earlier;
3. add the per-digest quarantine tag (PutImage with the stored manifest and media type);
4. remove the deployable tags, each id naming digest and tag, so a tag moved meanwhile to
   another image is never touched; the image always keeps the quarantine tag;
5. mark the quarantine complete.
A failure anywhere is completed by the next delivery: step 2 unites, step 3 is "already there".

Release puts back every removed tag that is still free (a tag re-pushed onto another image is
skipped and reported), then removes the quarantine tag only if a tag was restored.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ecr_guard.errors import ImageNotFoundError, ImmutableTagError
from ecr_guard.guard.config import GuardSettings, QuarantineMethod
from ecr_guard.guard.outcome import ActionKind, ActionReport
from ecr_guard.guard.ports import EcrPort, LedgerPort, StorageClass, StorageClassUnsupportedError
from ecr_guard.guard.state import ImageKey, ImageState, QuarantineRecord, QuarantineStatus
from ecr_guard.policy.model import Mode

logger = logging.getLogger(__name__)

ARCHIVED_STATUS = "ARCHIVED"


def action_details(report: ActionReport) -> dict[str, Any]:
    """The body of the ledger's history item for an action."""
    return report.model_dump(mode="json", exclude_defaults=True)


def immutable_message(repository: str, pattern: str) -> str:
    return (
        f"repository {repository} has immutable tags and refuses the guard's tag: set its tag "
        f"mutability to IMMUTABLE_WITH_EXCLUSION with the exclusion filter {pattern!r}"
    )


def lifecycle_warning(policy: Mapping[str, Any] | None, quarantine_tag: str) -> str | None:
    """A sentence when a lifecycle rule would expire an image carrying only `quarantine_tag`."""
    for rule in (policy or {}).get("rules", []):
        if not isinstance(rule, dict):
            continue
        if _mapping(rule.get("action")).get("type", "expire") != "expire":
            continue
        if _selects(_mapping(rule.get("selection")), quarantine_tag):
            return (
                f"lifecycle rule {rule.get('rulePriority', '?')} of the repository would expire "
                f"quarantined images (tagged {quarantine_tag}); exclude the guard's tag prefix "
                f"from it, or the evidence may be deleted"
            )
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _selects(selection: Mapping[str, Any], tag: str) -> bool:
    status = selection.get("tagStatus")
    if status == "any":
        return True
    if status != "tagged":
        return False
    # Several prefixes or patterns select only images carrying all of them; a quarantined
    # image carries the one quarantine tag, so each must match it.
    prefixes = [str(prefix) for prefix in selection.get("tagPrefixList", [])]
    patterns = [str(pattern) for pattern in selection.get("tagPatternList", [])]
    if prefixes:
        return all(tag.startswith(prefix) for prefix in prefixes)
    if patterns:
        return all(fnmatch.fnmatchcase(tag, pattern) for pattern in patterns)
    return False


class Quarantiner:
    """Applies and lifts quarantines, and the verified tag, for one subject at a time."""

    def __init__(self, ecr: EcrPort, ledger: LedgerPort, settings: GuardSettings):
        self._ecr = ecr
        self._ledger = ledger
        self._settings = settings

    def plan_quarantine(self, state: ImageState) -> ActionReport:
        """What a quarantine would do, from what the ledger knows (audit mode: no ECR call)."""
        method = self._settings.quarantine_method
        deployable = [tag for tag in state.tags_seen if not self._settings.is_guard_tag(tag)]
        return ActionReport(
            kind=ActionKind.QUARANTINE,
            method=method,
            quarantine_tag=(
                self._settings.quarantine_tag(state.key.digest)
                if method is QuarantineMethod.RETAG
                else None
            ),
            tags_removed=tuple(sorted(deployable)) if method is QuarantineMethod.RETAG else (),
        )

    def plan_release(self, state: ImageState) -> ActionReport:
        quarantine = state.quarantine
        return ActionReport(
            kind=ActionKind.RELEASE,
            method=quarantine.method if quarantine else None,
            quarantine_tag=quarantine.quarantine_tag if quarantine else None,
            tags_restored=tuple(sorted(quarantine.removed_tags)) if quarantine else (),
        )

    def quarantine(
        self, state: ImageState, *, mode: Mode, rule_ids: Iterable[str], now: datetime
    ) -> ActionReport:
        """Quarantine the subject by the configured method; safe to repeat."""
        if self._settings.quarantine_method is QuarantineMethod.ARCHIVE:
            result = self._archive(state, mode=mode, rule_ids=tuple(rule_ids), now=now)
        else:
            result = self._retag(state, mode=mode, rule_ids=tuple(rule_ids), now=now)
        if result.performed:
            self._ledger.record_action(
                state.key, kind=ActionKind.QUARANTINE, at=now, details=action_details(result)
            )
        return result

    def release(self, state: ImageState, *, now: datetime, by: str) -> ActionReport:
        """Lift the subject's quarantine, restoring exactly what was there."""
        quarantine = state.quarantine
        if quarantine is None or not quarantine.active:
            return ActionReport(kind=ActionKind.RELEASE, warning="the image is not quarantined")
        if quarantine.method is QuarantineMethod.ARCHIVE:
            result = self._restore_storage(state.key, quarantine)
        else:
            result = self._restore_tags(state.key, quarantine)
        released = quarantine.model_copy(
            update={
                "status": QuarantineStatus.RELEASED,
                "released_at": now,
                "restored_tags": result.tags_restored,
                "skipped_tags": result.tags_skipped,
                "released_by": by,
            }
        )
        self._ledger.save_quarantine(state.key, released, expected_revision=state.revision)
        self._ledger.record_action(
            state.key, kind=ActionKind.RELEASE, at=now, details={**action_details(result), "by": by}
        )
        return result

    def add_verified_tag(self, state: ImageState, *, now: datetime) -> ActionReport:
        """Put ECR_GUARD_VERIFIED_TAG on the subject; an immutable refusal is reported."""
        tag = self._settings.verified_tag
        if not tag or state.verified_tag == tag:
            return ActionReport(
                kind=ActionKind.VERIFIED_TAG, verified_tag=tag, already_done=bool(tag)
            )
        manifest = self._ecr.get_manifest(state.key)
        try:
            self._ecr.put_tag(state.key, manifest, tag)
        except ImmutableTagError as error:
            message = immutable_message(state.key.repository, tag)
            logger.error(
                "verified tag refused",
                extra={
                    "repository": state.key.repository,
                    "digest": state.key.digest,
                    "tag": tag,
                    "error": str(error),
                },
            )
            result = ActionReport(kind=ActionKind.VERIFIED_TAG, verified_tag=tag, error=message)
        else:
            self._ledger.set_verified(state.key, tag)
            result = ActionReport(kind=ActionKind.VERIFIED_TAG, performed=True, verified_tag=tag)
        self._ledger.record_action(
            state.key, kind=ActionKind.VERIFIED_TAG, at=now, details=action_details(result)
        )
        return result

    def _retag(
        self, state: ImageState, *, mode: Mode, rule_ids: tuple[str, ...], now: datetime
    ) -> ActionReport:
        key = state.key
        quarantine_tag = self._settings.quarantine_tag(key.digest)
        current = self._ecr.describe_image(key)
        deployable = tuple(tag for tag in current.tags if not self._settings.is_guard_tag(tag))
        earlier = state.quarantine if state.quarantined else None
        if earlier and earlier.complete and quarantine_tag in current.tags and not deployable:
            return ActionReport(
                kind=ActionKind.QUARANTINE,
                method=QuarantineMethod.RETAG,
                quarantine_tag=quarantine_tag,
                tags_removed=tuple(sorted(earlier.removed_tags)),
                already_done=True,
            )

        warning = lifecycle_warning(self._ecr.lifecycle_policy(key), quarantine_tag)
        if warning:
            logger.warning(
                "lifecycle policy expires quarantined images",
                extra={"repository": key.repository, "quarantine_tag": quarantine_tag},
            )
        removed = frozenset(deployable) | (earlier.removed_tags if earlier else frozenset())
        record = QuarantineRecord(
            status=QuarantineStatus.QUARANTINED,
            method=QuarantineMethod.RETAG,
            quarantine_tag=quarantine_tag,
            removed_tags=removed,
            at=earlier.at if earlier else now,
            mode=mode,
            rule_ids=rule_ids,
            lifecycle_warning=warning,
        )
        # The tags to remove are in the ledger before ECR is touched.
        revision = self._ledger.save_quarantine(key, record, expected_revision=state.revision)

        if quarantine_tag not in current.tags:
            manifest = self._ecr.get_manifest(key)
            try:
                self._ecr.put_tag(key, manifest, quarantine_tag)
            except ImmutableTagError as error:
                pattern = f"{self._settings.quarantine_tag_prefix}*"
                raise ImmutableTagError(immutable_message(key.repository, pattern)) from error
        self._ecr.remove_tags(key, deployable)

        self._ledger.save_quarantine(
            key, record.model_copy(update={"complete": True}), expected_revision=revision
        )
        return ActionReport(
            kind=ActionKind.QUARANTINE,
            performed=True,
            method=QuarantineMethod.RETAG,
            quarantine_tag=quarantine_tag,
            tags_removed=tuple(sorted(removed)),
            warning=warning,
        )

    def _archive(
        self, state: ImageState, *, mode: Mode, rule_ids: tuple[str, ...], now: datetime
    ) -> ActionReport:
        key = state.key
        current = self._ecr.describe_image(key)
        earlier = state.quarantine if state.quarantined else None
        if earlier and earlier.complete and current.status == ARCHIVED_STATUS:
            return ActionReport(
                kind=ActionKind.QUARANTINE, method=QuarantineMethod.ARCHIVE, already_done=True
            )
        before = (
            earlier.storage_class_before
            if earlier
            else (
                StorageClass.ARCHIVE if current.status == ARCHIVED_STATUS else StorageClass.STANDARD
            )
        )
        record = QuarantineRecord(
            status=QuarantineStatus.QUARANTINED,
            method=QuarantineMethod.ARCHIVE,
            storage_class_before=before,
            at=earlier.at if earlier else now,
            mode=mode,
            rule_ids=rule_ids,
        )
        revision = self._ledger.save_quarantine(key, record, expected_revision=state.revision)
        self._ecr.set_storage_class(key, StorageClass.ARCHIVE)
        # NOTE: whether ECR archives an index's children with it is not documented; archiving
        # only the index leaves every platform image pullable by digest, so each member is
        # archived as well and restored with it.
        archived, warning = self._archive_children(key, state)
        self._ledger.save_quarantine(
            key,
            record.model_copy(update={"complete": True, "archived_children": archived}),
            expected_revision=revision,
        )
        return ActionReport(
            kind=ActionKind.QUARANTINE,
            performed=True,
            method=QuarantineMethod.ARCHIVE,
            warning=warning,
        )

    def _archive_children(
        self, key: ImageKey, state: ImageState
    ) -> tuple[tuple[str, ...], str | None]:
        archived: list[str] = []
        notes: list[str] = []
        for child in state.children:
            try:
                self._ecr.set_storage_class(key.with_digest(child.digest), StorageClass.ARCHIVE)
            except (ImageNotFoundError, StorageClassUnsupportedError) as error:
                notes.append(f"{child.digest} not archived: {error}")
                continue
            archived.append(child.digest)
        return tuple(archived), "; ".join(notes) or None

    def _restore_tags(self, key: ImageKey, quarantine: QuarantineRecord) -> ActionReport:
        wanted = sorted(quarantine.removed_tags)
        lookup = self._ecr.lookup_tags(key, wanted)
        restored: list[str] = []
        skipped: list[str] = []
        for tag in wanted:
            points_at = lookup.tag_digests.get(tag)
            if points_at == key.digest:
                restored.append(tag)
                continue
            if points_at is not None:
                skipped.append(tag)
                logger.warning(
                    "tag not restored",
                    extra={
                        "repository": key.repository,
                        "digest": key.digest,
                        "tag": tag,
                        "points_at": points_at,
                    },
                )
                continue
            try:
                self._ecr.put_tag(key, lookup.manifest, tag)
            except ImmutableTagError:
                skipped.append(tag)
                continue
            restored.append(tag)

        warning = None
        if restored and quarantine.quarantine_tag:
            self._ecr.remove_tags(key, [quarantine.quarantine_tag])
        elif quarantine.quarantine_tag:
            warning = (
                f"no tag could be restored, so {quarantine.quarantine_tag} stays: the guard "
                "never leaves an image untagged"
            )
        return ActionReport(
            kind=ActionKind.RELEASE,
            performed=True,
            method=QuarantineMethod.RETAG,
            quarantine_tag=quarantine.quarantine_tag,
            tags_restored=tuple(restored),
            tags_skipped=tuple(skipped),
            warning=warning,
        )

    def _restore_storage(self, key: ImageKey, quarantine: QuarantineRecord) -> ActionReport:
        warning = None
        if quarantine.storage_class_before == StorageClass.ARCHIVE:
            warning = "the image was archived before the quarantine and stays archived"
        else:
            self._ecr.set_storage_class(key, StorageClass.STANDARD)
            for child in quarantine.archived_children:
                self._ecr.set_storage_class(key.with_digest(child), StorageClass.STANDARD)
        return ActionReport(
            kind=ActionKind.RELEASE,
            performed=True,
            method=QuarantineMethod.ARCHIVE,
            warning=warning,
        )
