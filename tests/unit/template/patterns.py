"""EventBridge pattern matching for the template tests, on moto's matcher.

moto's `EventPattern` flattens nested objects but stops at arrays, while EventBridge also matches
fields inside arrays of objects (Inspector's `detail.resources[].type`): a leaf under an array
matches when any element's value does. `eventbridge_view` rewrites such arrays into one object
whose leaves list every element's values, which is exactly how EventBridge sees them.
"""

from __future__ import annotations

import json
from typing import Any

from moto.events.models import EventPattern


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether EventBridge would deliver `event` to a rule with `pattern`."""
    return bool(EventPattern.load(json.dumps(pattern)).matches_event(eventbridge_view(event)))


def eventbridge_view(node: Any) -> Any:
    """`node` with every array of objects merged into one object of value lists."""
    if isinstance(node, dict):
        return {key: eventbridge_view(value) for key, value in node.items()}
    if isinstance(node, list) and node and all(isinstance(item, dict) for item in node):
        return _merge_objects([eventbridge_view(item) for item in node])
    return node


def _merge_objects(objects: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    keys = dict.fromkeys(key for obj in objects for key in obj)
    for key in keys:
        values = [obj[key] for obj in objects if key in obj]
        if all(isinstance(value, dict) for value in values):
            merged[key] = _merge_objects(values)
        else:
            merged[key] = [
                item for value in values for item in (value if isinstance(value, list) else [value])
            ]
    return merged
