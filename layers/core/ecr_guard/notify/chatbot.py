"""A decision in AWS Chatbot's custom notification format (Amazon Q Developer in chat
applications).

Chatbot drops anything else published to a topic it reads ("Event received is not supported"),
so teams that use it get a separate topic with this shape: `version` "1.0", `source` "custom",
`content` {`textType` "client-markdown", `title`, `description`, `nextSteps`, `keywords`} and
`metadata` {`threadId`, `summary`, `eventType`, `additionalContext`}. Decisions about the same
repository and tag share a thread. Chatbot renders the markdown of the chat platform; the text
is escaped as for Slack. The AWS documentation states no size limits for these fields: the
sizes here are kept to a Slack section's.
"""

from __future__ import annotations

from typing import Any

from ecr_guard.guard.advice import distinct_rows, fix_text, next_steps
from ecr_guard.guard.email_text import change_sentences
from ecr_guard.guard.notification import NotificationV1, NotifiedFinding
from ecr_guard.guard.subject_line import action_phrase
from ecr_guard.notify.mrkdwn import code, escape, link, plain

CHATBOT_VERSION = "1.0"
CHATBOT_SOURCE = "custom"
EVENT_TYPE = "ecr-guard.decision"
TITLE_LIMIT = 250
DESCRIPTION_LIMIT = 3000
STEP_LIMIT = 600
CHATBOT_FINDINGS = 5
_MAX_STEPS = 5
_MAX_KEYWORDS = 6


def render_chatbot(body: NotificationV1) -> dict[str, Any]:
    """The custom notification for one decision."""
    rows = distinct_rows(body.rules)
    image = body.image
    thread = f"{image.repository}:{image.tags[0]}" if image.tags else image.display
    return {
        "version": CHATBOT_VERSION,
        "source": CHATBOT_SOURCE,
        "id": body.event_id or f"{image.digest}@{body.evaluated_at.isoformat()}",
        "content": {
            "textType": "client-markdown",
            "title": _title(body),
            "description": _description(body, rows),
            "nextSteps": _next_steps(body, rows),
            "keywords": _keywords(body),
        },
        "metadata": {
            "threadId": thread[:255],
            "summary": plain(body.summary, 500),
            "eventType": EVENT_TYPE,
            "additionalContext": {
                "repository": image.repository,
                "digest": image.digest or "",
                "verdict": body.verdict.value,
                "outcome": body.outcome.value,
                "team": body.team or "unknown",
                "action": body.action.kind.value,
            },
        },
    }


def _title(body: NotificationV1) -> str:
    phrase = action_phrase(body.action, body.mode)
    words = (body.verdict.value, body.image.display, phrase)
    return plain(" ".join(word for word in words if word), TITLE_LIMIT)


def _description(body: NotificationV1, rows: list[NotifiedFinding]) -> str:
    lines = [plain(body.summary, 1000)]
    if body.changes is not None:
        lines += [plain(sentence, 400) for sentence in change_sentences(body.changes)]
        if body.changes.new_failing_total:
            new = ", ".join(code(found, 100) for found in body.changes.new_failing[:10])
            lines.append(f"*New failing ({body.changes.new_failing_total}):* {new}")
    shown = rows[:CHATBOT_FINDINGS]
    if shown:
        lines.append(f"*Worst findings ({len(shown)} of {len(rows) + body.omitted.findings}):*")
        lines += [_finding(row) for row in shown]
    text = "\n".join(lines)
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"


def _finding(row: NotifiedFinding) -> str:
    fixed = fix_text(row)
    parts = [
        f"• *{row.severity.value}*",
        link(row.url, code(row.id, 100)),
        code(row.location, 100),
        code(row.installed, 60),
        f"→ {plain(fixed, 100)}" if fixed else "",
    ]
    return " ".join(part for part in parts if part)


def _next_steps(body: NotificationV1, rows: list[NotifiedFinding]) -> list[str]:
    steps = []
    for step in next_steps(body, rows, shown=CHATBOT_FINDINGS)[:_MAX_STEPS]:
        text = escape(step.text)
        one_line = step.inline or (step.code[0] if len(step.code) == 1 else None)
        if one_line:
            text += " " + code(one_line, STEP_LIMIT)
        steps.append(text if len(text) <= STEP_LIMIT else text[: STEP_LIMIT - 1] + "…")
    return steps


def _keywords(body: NotificationV1) -> list[str]:
    words = [
        body.verdict.value,
        str(body.severity),
        body.mode.value,
        body.action.kind.value,
        body.team or "",
        body.image.repository,
    ]
    return [plain(word, 50) for word in words if word][:_MAX_KEYWORDS]
