"""The subject line of a notification: `[ecr-guard] FAIL team/app:1.2.3 quarantined`.

Mail clients and SNS want one printable ASCII line of at most 99 characters, whatever the
repository and tags are called.
"""

from __future__ import annotations

import unicodedata

from ecr_guard.guard.notification import NotificationV1, clean_text
from ecr_guard.guard.outcome import ActionKind, ActionReport
from ecr_guard.images import ImageRef, short_digest
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode

SUBJECT_LIMIT = 99
SUBJECT_PREFIX = "[ecr-guard]"

_TAG_IN_SUBJECT = 40


def subject_line(
    image: ImageRef, verdict: Verdict, outcome: Verdict, action: ActionReport, mode: Mode
) -> str:
    """`[ecr-guard] FAIL team/app:1.2.3 quarantined`: ASCII, one line, at most 99 characters."""
    label = verdict.value if verdict is outcome else f"{verdict.value} as {outcome.value}"
    phrase = action_phrase(action, mode)
    fixed = " ".join(part for part in (SUBJECT_PREFIX, label, phrase) if part)
    room = SUBJECT_LIMIT - len(_ascii(fixed)) - 1  # one space before the image
    name = _subject_image(image, room)
    line = " ".join(part for part in (SUBJECT_PREFIX, label, name, phrase) if part)
    return _ascii(line)[:SUBJECT_LIMIT]


def subject_line_for(body: NotificationV1) -> str:
    """The subject line of a published notification body."""
    image = ImageRef(
        repository=body.image.repository, digest=body.image.digest, tags=body.image.tags
    )
    return subject_line(image, body.verdict, body.outcome, body.action, body.mode)


def action_phrase(action: ActionReport, mode: Mode) -> str:
    """A few words for the subject: `quarantined`, `would be quarantined (audit)`…"""
    if action.kind is ActionKind.NONE:
        return ""
    if action.failed:
        return f"{action.kind.value} failed"
    done = {
        ActionKind.QUARANTINE: "quarantined",
        ActionKind.RELEASE: "released",
        ActionKind.VERIFIED_TAG: "verified",
    }[action.kind]
    if action.already_done:
        return f"still {done}" if action.kind is ActionKind.QUARANTINE else done
    if action.performed:
        return done
    return f"would be {done} (audit)" if mode is Mode.AUDIT else f"would be {done}"


def _subject_image(image: ImageRef, room: int) -> str:
    """The image as short as it must be: the repository's tail is kept, it names the app."""
    if image.tags:
        tag = _ascii(image.tags[0])
        suffix = ":" + (tag if len(tag) <= _TAG_IN_SUBJECT else tag[: _TAG_IN_SUBJECT - 3] + "...")
    elif image.digest:
        suffix = "@" + short_digest(image.digest)
    else:
        suffix = ""
    repository = _ascii(image.repository)
    if len(repository) + len(suffix) <= room:
        return repository + suffix
    keep = max(room - len(suffix) - 3, 1)
    return "..." + repository[-keep:] + suffix


def _ascii(text: str) -> str:
    """Printable ASCII on one line: accents dropped, anything else becomes `?`."""
    flat = clean_text(text, 10_000) or ""
    decomposed = unicodedata.normalize("NFKD", flat)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return without_marks.encode("ascii", "replace").decode("ascii")
