"""What Slack refuses with 400: the limits its API enforces on an incoming webhook's message.

`invalid_blocks`: more than 50 blocks, a header over 150 characters (plain text only), a
section text over 3,000, more than 10 section fields or a field over 2,000, a context without
elements or with more than 10. `invalid_payload`: not a JSON object with `text` or `blocks`.
"""

from __future__ import annotations

import json
from typing import Any


def slack_problem(raw: bytes) -> str | None:
    """What Slack would answer with 400, or None when it would post the message."""
    try:
        payload = json.loads(raw)
    except ValueError:
        return "invalid_payload"
    if not isinstance(payload, dict) or not (payload.get("text") or payload.get("blocks")):
        return "invalid_payload"
    blocks = payload.get("blocks", [])
    if len(blocks) > 50:
        return "invalid_blocks"
    for block in blocks:
        if not _block_fits(block):
            return "invalid_blocks"
    return None


def _block_fits(block: dict[str, Any]) -> bool:
    kind = block.get("type")
    if kind == "header":
        text = block["text"]
        return text["type"] == "plain_text" and 0 < len(text["text"]) <= 150
    if kind == "section":
        text = block.get("text", {}).get("text", "")
        fields = block.get("fields", [])
        return (
            len(text) <= 3000
            and len(fields) <= 10
            and all(len(item["text"]) <= 2000 for item in fields)
            and bool(text or fields)
        )
    if kind == "context":
        return 0 < len(block["elements"]) <= 10
    return kind == "divider"
