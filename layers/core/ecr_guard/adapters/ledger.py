"""The ledger: one DynamoDB table (`pk`/`sk` strings) holding what the guard knows and did.

- state item, `pk=image#<account>#<region>#<repository>#<digest>`, `sk=state`: identity, tags
  seen (string set), push facts, index children and parents, the latest decision per source
  (one `decision#<source>` map each, so sources never overwrite each other), the quarantine
  (a map, with the removed tags as a string set), the last notified decision key, and
  `gsi1pk="quarantined"` + `gsi1sk=<at>` only while quarantined (sparse index `gsi1`).
- history items under the same `pk`: `decision#<iso time>#<source>`, `action#<iso time>#<kind>`.
- tag item, `pk=tag#<account>#<region>#<repository>#<tag>`, `sk=last`: the last decision settled
  for the tag (verdict, digest, failing finding ids), which a new digest pushed under the same tag
  is compared with. An older push never overwrites a newer one's (conditional write).
- Powertools idempotency records live in the same table under `pk=idempotency#…`.

Quarantine changes are conditional on the item's `revision`, so two evaluations racing on the
same subject cannot lose each other's removed tags: the loser fails and is retried.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from ecr_guard.adapters.clients import ClientFactory, error_code, error_message
from ecr_guard.adapters.ledger_items import (
    DECISION_PREFIX,
    IDENTITY,
    attributes,
    iso,
    plain,
    quarantine_to_map,
    state_from_item,
    without_empty,
)
from ecr_guard.errors import AwsError
from ecr_guard.guard.state import (
    ChildRef,
    DecisionRecord,
    ImageKey,
    ImageKind,
    ImageState,
    QuarantineRecord,
    SettledDecision,
    TagKey,
    TagRecord,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

STATE_SK = "state"
TAG_SK = "last"
QUARANTINED_INDEX = "gsi1"
QUARANTINED_PK = "quarantined"


class ConcurrentUpdateError(AwsError):
    """Another evaluation changed the same subject meanwhile; retrying re-reads it."""


def image_pk(key: ImageKey) -> str:
    return f"image#{key.account}#{key.region}#{key.repository}#{key.digest}"


def tag_pk(key: TagKey) -> str:
    return f"tag#{key.account}#{key.region}#{key.repository}#{key.tag}"


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
        return state_from_item(plain(item)) if item else None

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
        sets += [f"#{name} = :{name}" for name in IDENTITY]
        names |= {f"#{name}": name for name in IDENTITY}
        values |= {f":{name}": getattr(key, name) for name in IDENTITY}
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
                ExpressionAttributeValues=attributes(values),
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

    def set_notified(
        self, key: ImageKey, notification_key: str, settled: SettledDecision | None = None
    ) -> None:
        """The key of the decision just settled, and what the next one is compared with."""
        values: dict[str, Any] = {"last_notified": notification_key}
        if settled is not None:
            values["last_settled"] = settled.model_dump(mode="json")
        self._update(key, values)

    def get_tag(self, key: TagKey) -> TagRecord | None:
        """The last decision settled for a tag; None when there was none."""
        response = self._tag_call(
            "GetItem",
            key,
            lambda: self.client.get_item(
                TableName=self.table_name, Key=_tag_key(key), ConsistentRead=True
            ),
        )
        item = response.get("Item")
        if not item:
            return None
        stored = plain(item)
        return TagRecord(
            key=key,
            decision=SettledDecision.model_validate(stored["decision"]),
            pushed_at=stored.get("pushed_at") or None,
        )

    def save_tag(self, record: TagRecord) -> bool:
        """Write the tag's record unless a newer push already holds it; True when written.

        The write wins when the item is absent, already about the same digest, or about a
        digest pushed no later than `record.pushed_at` (a record without one never takes over).
        """
        key = record.key
        item = {
            "pk": tag_pk(key),
            "sk": TAG_SK,
            **key.model_dump(),
            "digest": record.decision.digest,
            "decision": record.decision.model_dump(mode="json"),
            "pushed_at": iso(record.pushed_at) if record.pushed_at else "",
        }
        condition = "attribute_not_exists(pk) OR #digest = :digest"
        names = {"#digest": "digest"}
        values: dict[str, Any] = {":digest": record.decision.digest}
        if record.pushed_at:
            condition += " OR #pushed <= :pushed"
            names["#pushed"] = "pushed_at"
            values[":pushed"] = iso(record.pushed_at)
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=attributes(item),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=attributes(values),
            )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise AwsError(
                f"{key.display()}: ledger PutItem: {error_code(error)}: {error_message(error)}"
            ) from error
        except BotoCoreError as error:
            raise AwsError(f"{key.display()}: ledger PutItem: {error}") from error
        return True

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
                    yield state_from_item(plain(item))
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
        everything = {name: getattr(key, name) for name in IDENTITY} | dict(values)
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
                ExpressionAttributeValues=attributes(attribute_values),
            ),
        )

    def _put(self, key: ImageKey, sort_key: str, body: Mapping[str, Any]) -> None:
        item = {"pk": image_pk(key), "sk": sort_key, **without_empty(body)}
        self._call(
            "PutItem",
            key,
            lambda: self.client.put_item(TableName=self.table_name, Item=attributes(item)),
        )

    def _tag_call(self, operation: str, key: TagKey, call: Any) -> Any:
        try:
            return call()
        except ClientError as error:
            raise AwsError(
                f"{key.display()}: ledger {operation}: {error_code(error)}: {error_message(error)}"
            ) from error
        except BotoCoreError as error:
            raise AwsError(f"{key.display()}: ledger {operation}: {error}") from error

    def _call(self, operation: str, key: ImageKey, call: Any) -> Any:
        try:
            return call()
        except ClientError as error:
            raise _translate(error, operation, key) from error
        except BotoCoreError as error:
            raise AwsError(f"{key.display()}: ledger {operation}: {error}") from error


def _translate(error: ClientError, operation: str, key: ImageKey) -> AwsError:
    return AwsError(
        f"{key.display()}: ledger {operation}: {error_code(error)}: {error_message(error)}"
    )


def _state_key(key: ImageKey) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": image_pk(key)}, "sk": {"S": STATE_SK}}


def _tag_key(key: TagKey) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": tag_pk(key)}, "sk": {"S": TAG_SK}}
