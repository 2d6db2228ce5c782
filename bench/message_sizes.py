"""Message sizes for the biggest report: the SNS notification, and Slack's when it is built.

`python -m bench.message_sizes REPORT` prints the sizes as JSON. The decision is the default
policy's on the report; the action is a performed retag quarantine, the longest message.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SNS_LIMIT = 262_144
SLACK_BLOCKS = 50
SLACK_SECTION_CHARS = 3_000
SLACK_HEADER_CHARS = 150
SLACK_RENDERER = "ecr_guard.notify.slack"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
DIGEST = "sha256:" + "5e" * 32


def notification(report_path: Path) -> Any:
    """The SNS message (`SnsMessage`) for the default policy's decision on the report."""
    from ecr_guard.findings.load import parse_report  # noqa: PLC0415
    from ecr_guard.guard.config import QuarantineMethod  # noqa: PLC0415
    from ecr_guard.guard.messages import build_notification  # noqa: PLC0415
    from ecr_guard.guard.outcome import ActionKind, ActionReport  # noqa: PLC0415
    from ecr_guard.images import ImageRef  # noqa: PLC0415
    from ecr_guard.policy.evaluate import evaluate  # noqa: PLC0415
    from ecr_guard.policy.load import default_policy  # noqa: PLC0415
    from ecr_guard.policy.model import Mode  # noqa: PLC0415

    report = parse_report(report_path.read_bytes(), origin=str(report_path))
    image = ImageRef(
        repository="team/app",
        digest=DIGEST,
        tags=("1.4.2",),
        account="123456789012",
        region="us-east-1",
    )
    decision = evaluate(report, default_policy(), now=NOW, image=image)
    action = ActionReport(
        kind=ActionKind.QUARANTINE,
        performed=True,
        method=QuarantineMethod.RETAG,
        quarantine_tag="quarantine-sha256-" + DIGEST.removeprefix("sha256:"),
        tags_removed=("1.4.2",),
    )
    return build_notification(
        decision,
        image=image,
        action=action,
        mode=Mode.ENFORCE,
        team="payments",
        event_id="6f1c2c0e-4a53-4b8e-9d8e-0c1f4b2a7d10",
        previous_verdict=None,
    )


def sns_sizes(message: Any) -> dict[str, Any]:
    bodies = json.loads(message.message)
    body = json.loads(bodies["default"])
    listed = sum(len(rule.get("findings", [])) for rule in body.get("rules", []))
    return {
        "bytes": message.size_bytes,
        "limit": SNS_LIMIT,
        "protocols": sorted(bodies),
        "email_bytes": len(bodies.get("email", "").encode()),
        "json_body_bytes": len(bodies["default"].encode()),
        "subject": message.subject,
        "findings_total": body["counts"]["total"],
        "findings_listed": listed,
        "omitted": body.get("omitted"),
    }


def slack_sizes(message: Any) -> dict[str, Any]:
    """The Slack payload rendered from the message's JSON body, against Slack's limits."""
    if importlib.util.find_spec(SLACK_RENDERER.rsplit(".", 1)[0]) is None:
        return {"built": False}
    if importlib.util.find_spec(SLACK_RENDERER) is None:
        return {"built": False}
    from ecr_guard.notify.slack import render_slack  # noqa: PLC0415

    payload = render_slack(message.body)
    blocks = payload["blocks"]
    texts = [_texts(block) for block in blocks]
    headers = [
        len(text)
        for block, found in zip(blocks, texts, strict=True)
        if block.get("type") == "header"
        for text in found
    ]
    sections = [
        len(text)
        for block, found in zip(blocks, texts, strict=True)
        if block.get("type") == "section"
        for text in found
    ]
    return {
        "built": True,
        "blocks": len(blocks),
        "longest_section": max(sections, default=0),
        "longest_header": max(headers, default=0),
        "payload_bytes": len(json.dumps(payload).encode()),
        "limits": {
            "blocks": SLACK_BLOCKS,
            "section": SLACK_SECTION_CHARS,
            "header": SLACK_HEADER_CHARS,
        },
    }


def _texts(block: dict[str, Any]) -> list[str]:
    """A block's own text and its fields' texts (Slack limits each)."""
    found = [block["text"]["text"]] if isinstance(block.get("text"), dict) else []
    found += [field["text"] for field in block.get("fields", []) if isinstance(field, dict)]
    return found


def main(arguments: list[str]) -> int:
    message = notification(Path(arguments[0]))
    result = {"sns": sns_sizes(message), "slack": slack_sizes(message)}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
