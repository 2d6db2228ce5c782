"""The ledger: one DynamoDB table (`pk`/`sk` strings) holding what the guard knows and did.

- state item, `pk=image#<account>#<region>#<repository>#<digest>`, `sk=state`: identity, tags
  seen (string set), push facts, index children and parents, the latest decision per source
  (one `decision#<source>` map each, so sources never overwrite each other), the quarantine
  (a map, with the removed tags as a string set), the last notified decision key, and
  `gsi1pk="quarantined"` + `gsi1sk=<at>` only while quarantined (sparse index `gsi1`).
- history items under the same `pk`: `decision#<iso time>#<source>`, `action#<iso time>#<kind>`.
- Powertools idempotency records live in the same table under `pk=idempotency#…`.

Quarantine changes are conditional on the item's `revision`, so two evaluations racing on the
same subject cannot lose each other's removed tags: the loser fails and is retried.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from ecr_guard.adapters.clients import ClientFactory, error_code, error_message
from ecr_guard.errors import AwsError
from ecr_guard.guard.state import (
    ChildRef,
    DecisionRecord,
    ImageKey,
    ImageKind,
    ImageState,
    QuarantineRecord,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

STATE_SK = "state"
QUARANTINED_INDEX = "gsi1"
QUARANTINED_PK = "quarantined"
DECISION_PREFIX = "decision#"
_IDENTITY = ("account", "region", "repository", "digest")

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class ConcurrentUpdateError(AwsError):
    """Another evaluation changed the same subject meanwhile; retrying re-reads it."""


def image_pk(key: ImageKey) -> str:
    return f"image#{key.account}#{key.region}#{key.repository}#{key.digest}"


def iso(moment: datetime) -> str:
    """UTC ISO-8601 with `Z`, as pydantic writes datetimes: one spelling, so sort keys order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Ledger:
    """Reads and writes the ledger table (low-level DynamoDB client)."""

    def __init__(self, clients: ClientFactory, *, table_name: str, region: str):
        self._clients = clients
        self.table_name = table_name
        self.region = region

    @property
    def client(self) -> DynamoDBClient:
        return self._clients.dynamodb(self.region)

    def get(self, key: ImageKey) -> ImageState | None:
        """The state item, read consistently; None when the ledger never saw the image."""
        response = self._call(
            "GetItem",
            key,
            lambda: self.client.get_item(
                TableName=self.table_name, Key=_state_key(key), ConsistentRead=True
            ),
        )
        item = response.get("Item")
        return state_from_item(_plain(item)) if item else None

    def record_push(
        self,
        key: ImageKey,
        *,
        tags: Iterable[str],
        pushed_at: datetime | None,
        media_type: str | None,
        kind: ImageKind,
        children: Iterable[ChildRef] = (),
    ) -> None:
        """What a push showed: the tag, when, and what the manifest is."""
        updates = {"media_type": media_type, "kind": kind.value}
        child_list = [child.model_dump(mode="json") for child in children]
        if child_list:
            updates["children"] = child_list  # type: ignore[assignment]
        first = {"pushed_at": iso(pushed_at)} if pushed_at else {}
        self._update(key, updates, first=first, add={"tags_seen": set(tags)})

    def add_parent(self, child: ImageKey, parent_digest: str) -> None:
        """Record that `child` is listed by the index `parent_digest`."""
        self._update(child, {}, add={"parents": {parent_digest}})

    def record_decision(
        self, key: ImageKey, record: DecisionRecord, *, tags: Iterable[str] = ()
    ) -> None:
        """The latest decision for `record.source`, and a history item."""
        body = record.model_dump(mode="json")
        self._update(key, {f"{DECISION_PREFIX}{record.source}": body}, add={"tags_seen": set(tags)})
        history = {"kind": "decision", **body}
        self._put(key, f"{DECISION_PREFIX}{iso(record.at)}#{record.source}", history)

    def save_quarantine(
        self, key: ImageKey, record: QuarantineRecord, *, expected_revision: int
    ) -> int:
        """Write the quarantine if the item is still at `expected_revision`; the new revision.

        ConcurrentUpdateError when another evaluation changed it meanwhile.
        """
        names = {"#q": "quarantine", "#r": "revision", "#g": "gsi1pk", "#s": "gsi1sk"}
        values: dict[str, Any] = {":q": quarantine_to_map(record), ":next": expected_revision + 1}
        sets = ["#q = :q", "#r = :next"]
        removes: list[str] = []
        if record.active:
            sets += ["#g = :g", "#s = :s"]
            values |= {":g": QUARANTINED_PK, ":s": iso(record.at)}
        else:
            removes += ["#g", "#s"]
        sets += [f"#{name} = :{name}" for name in _IDENTITY]
        names |= {f"#{name}": name for name in _IDENTITY}
        values |= {f":{name}": getattr(key, name) for name in _IDENTITY}
        if expected_revision:
            condition = "#r = :expected"
            values[":expected"] = expected_revision
        else:
            condition = "attribute_not_exists(#r) OR #r = :zero"
            values[":zero"] = 0
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=_state_key(key),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=_attributes(values),
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                raise ConcurrentUpdateError(
                    f"{key.display()}: the ledger changed meanwhile; will retry"
                ) from error
            raise _translate(error, "UpdateItem", key) from error
        except BotoCoreError as error:
            raise AwsError(f"{key.display()}: UpdateItem: {error}") from error
        return expected_revision + 1

    def record_action(
        self, key: ImageKey, *, kind: str, at: datetime, details: Mapping[str, Any]
    ) -> None:
        """A history item for an action taken (or, in audit mode, that would have been)."""
        self._put(key, f"action#{iso(at)}#{kind}", {"kind": kind, "at": iso(at), **details})

    def set_notified(self, key: ImageKey, notification_key: str) -> None:
        self._update(key, {"last_notified": notification_key})

    def set_verified(self, key: ImageKey, tag: str) -> None:
        self._update(key, {"verified_tag": tag})

    def quarantined(self) -> Iterator[ImageState]:
        """Every image quarantined now, oldest first (Query on the sparse index `gsi1`)."""
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            IndexName=QUARANTINED_INDEX,
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues={":pk": {"S": QUARANTINED_PK}},
        )
        try:
            for page in pages:
                for item in page.get("Items", []):
                    yield state_from_item(_plain(item))
        except ClientError as error:
            raise AwsError(
                f"table {self.table_name}: Query: {error_code(error)}: {error_message(error)}"
            ) from error
        except BotoCoreError as error:
            raise AwsError(f"table {self.table_name}: Query: {error}") from error

    def _update(
        self,
        key: ImageKey,
        values: Mapping[str, Any],
        *,
        first: Mapping[str, Any] | None = None,
        add: Mapping[str, set[str]] | None = None,
    ) -> None:
        names: dict[str, str] = {}
        attribute_values: dict[str, Any] = {}
        sets: list[str] = []
        everything = {name: getattr(key, name) for name in _IDENTITY} | dict(values)
        for position, (name, value) in enumerate(everything.items()):
            if value is None:
                continue
            names[f"#a{position}"] = name
            attribute_values[f":a{position}"] = value
            sets.append(f"#a{position} = :a{position}")
        for position, (name, value) in enumerate((first or {}).items()):
            names[f"#f{position}"] = name
            attribute_values[f":f{position}"] = value
            sets.append(f"#f{position} = if_not_exists(#f{position}, :f{position})")
        adds = []
        for position, (name, members) in enumerate((add or {}).items()):
            if members:
                names[f"#s{position}"] = name
                attribute_values[f":s{position}"] = set(members)
                adds.append(f"#s{position} :s{position}")
        expression = "SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else "")
        self._call(
            "UpdateItem",
            key,
            lambda: self.client.update_item(
                TableName=self.table_name,
                Key=_state_key(key),
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=_attributes(attribute_values),
            ),
        )

    def _put(self, key: ImageKey, sort_key: str, body: Mapping[str, Any]) -> None:
        item = {"pk": image_pk(key), "sk": sort_key, **_without_empty(body)}
        self._call(
            "PutItem",
            key,
            lambda: self.client.put_item(TableName=self.table_name, Item=_attributes(item)),
        )

    def _call(self, operation: str, key: ImageKey, call: Any) -> Any:
        try:
            return call()
        except ClientError as error:
            raise _translate(error, operation, key) from error
        except BotoCoreError as error:
            raise AwsError(f"{key.display()}: ledger {operation}: {error}") from error


def quarantine_to_map(record: QuarantineRecord) -> dict[str, Any]:
    body = _without_empty(record.model_dump(mode="json", exclude={"removed_tags"}))
    if record.removed_tags:
        body["removed_tags"] = set(record.removed_tags)
    return body


def state_from_item(item: Mapping[str, Any]) -> ImageState:
    """An ImageState from a plain (deserialized) state item."""
    key = ImageKey(**{name: item[name] for name in _IDENTITY})
    decisions = {
        name.removeprefix(DECISION_PREFIX): DecisionRecord.model_validate(value)
        for name, value in item.items()
        if name.startswith(DECISION_PREFIX)
    }
    quarantine = item.get("quarantine")
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
        verified_tag=item.get("verified_tag"),
        revision=int(item.get("revision", 0)),
    )


def _state_key(key: ImageKey) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": image_pk(key)}, "sk": {"S": STATE_SK}}


def _without_empty(body: Mapping[str, Any]) -> dict[str, Any]:
    """Drop None and empty collections: DynamoDB has no empty sets, and absent reads as None."""
    return {
        name: value
        for name, value in body.items()
        if value is not None and not (isinstance(value, list | tuple | set | dict) and not value)
    }


def _attributes(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(_storable(value)) for name, value in values.items()}


def _storable(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Mapping):
        return {name: _storable(item) for name, item in _without_empty(value).items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    if isinstance(value, float):
        return str(value)
    return value


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
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


def _translate(error: ClientError, operation: str, key: ImageKey) -> AwsError:
    return AwsError(
        f"{key.display()}: ledger {operation}: {error_code(error)}: {error_message(error)}"
    )
