"""Ledger items as DynamoDB stores them and as the guard reads them: (de)serialisation only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from ecr_guard.guard.state import (
    ChildRef,
    DecisionRecord,
    ImageKey,
    ImageState,
    QuarantineRecord,
    SettledDecision,
)

DECISION_PREFIX = "decision#"
IDENTITY = ("account", "region", "repository", "digest")

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def iso(moment: datetime) -> str:
    """UTC ISO-8601 with `Z`, as pydantic writes datetimes: one spelling, so sort keys order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def quarantine_to_map(record: QuarantineRecord) -> dict[str, Any]:
    body = without_empty(record.model_dump(mode="json", exclude={"removed_tags"}))
    if record.removed_tags:
        body["removed_tags"] = set(record.removed_tags)
    return body


def state_from_item(item: Mapping[str, Any]) -> ImageState:
    """An ImageState from a plain (deserialized) state item."""
    key = ImageKey(**{name: item[name] for name in IDENTITY})
    decisions = {
        name.removeprefix(DECISION_PREFIX): DecisionRecord.model_validate(value)
        for name, value in item.items()
        if name.startswith(DECISION_PREFIX)
    }
    quarantine = item.get("quarantine")
    settled = item.get("last_settled")
    return ImageState(
        key=key,
        tags_seen=frozenset(item.get("tags_seen", ())),
        pushed_at=item.get("pushed_at"),
        media_type=item.get("media_type"),
        kind=item.get("kind"),
        children=tuple(ChildRef.model_validate(child) for child in item.get("children", [])),
        parents=frozenset(item.get("parents", ())),
        decisions=decisions,
        quarantine=QuarantineRecord.model_validate(quarantine) if quarantine else None,
        last_notified=item.get("last_notified"),
        last_settled=SettledDecision.model_validate(settled) if settled else None,
        verified_tag=item.get("verified_tag"),
        revision=int(item.get("revision", 0)),
    )


def without_empty(body: Mapping[str, Any]) -> dict[str, Any]:
    """Drop None and empty collections: DynamoDB has no empty sets, and absent reads as None."""
    return {
        name: value
        for name, value in body.items()
        if value is not None and not (isinstance(value, list | tuple | set | dict) and not value)
    }


def attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(_storable(value)) for name, value in values.items()}


def _storable(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Mapping):
        return {name: _storable(item) for name, item in without_empty(value).items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    if isinstance(value, float):
        return str(value)
    return value


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _python(_deserializer.deserialize(value)) for name, value in item.items()}


def _python(value: Any) -> Any:
    """Decimals back to ints, sets of strings kept as sets."""
    if isinstance(value, dict):
        return {name: _python(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_python(item) for item in value]
    if type(value).__name__ == "Decimal":
        return int(value) if value == int(value) else float(value)
    return value
