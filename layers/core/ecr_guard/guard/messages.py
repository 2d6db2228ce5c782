"""The SNS message for one subject decision: subject line, bodies per protocol, attributes.

`MessageStructure="json"`: `default` carries the versioned JSON body (SNS sends it to SQS, Lambda
and HTTPS subscribers alike), `email` a readable text. SNS refuses a message over 256 KiB (bodies
and attributes together),
so findings are listed worst first until the size budget is spent; what is left out is counted
in `omitted`, and each rule says how many of its findings it lists.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ecr_guard.findings.model import Severity
from ecr_guard.guard.email_text import action_sentence, render_email
from ecr_guard.guard.listings import (
    ID_LIMIT,
    MAX_RULES,
    TEXT_LIMIT,
    URL_LIMIT,
    Listing,
    nested_size,
    notified_finding,
    notified_rule,
    omitted_findings,
    worst_first_listings,
    zero_levels,
)
from ecr_guard.guard.notification import (
    NO_SEVERITY,
    NotificationV1,
    NotifiedChanges,
    NotifiedCounts,
    NotifiedFinding,
    NotifiedImage,
    NotifiedReport,
    NotifiedRoute,
    NotifiedWaiver,
    NotifiedWaivers,
    Omitted,
    clean_text,
)
from ecr_guard.guard.outcome import ActionKind, ActionReport, PlatformVerdict
from ecr_guard.guard.routing import UNKNOWN_TEAM
from ecr_guard.guard.state import ImageKind
from ecr_guard.guard.subject_line import SUBJECT_LIMIT, SUBJECT_PREFIX, action_phrase, subject_line
from ecr_guard.images import ImageRef, short_digest
from ecr_guard.policy.decision import Decision, Verdict, WaiverUse
from ecr_guard.policy.model import Mode

MAX_MESSAGE_BYTES = 262_144
"""SNS's limit for the message and its attributes, in UTF-8 bytes."""
SIZE_BUDGET = MAX_MESSAGE_BYTES - 2_048
"""What the guard fills, leaving headroom for how SNS accounts for the request."""
JSON_PROTOCOLS = ("default",)
"""Protocols given the JSON body; SNS sends `default` to every protocol not named (SQS, Lambda,
HTTPS), so one copy serves them all and the size budget goes to findings."""
_MESSAGE_LIMIT = 1000
_MAX_WAIVERS = 25
_SEVERITY_ORDER = sorted(Severity, key=lambda level: level.rank, reverse=True)


class SnsMessage(BaseModel):
    """Everything `sns.publish` needs besides the topic, and the body it was made from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str
    message: str
    attributes: dict[str, str]
    message_structure: Literal["json"] = "json"
    body: NotificationV1

    def message_attributes(self) -> dict[str, dict[str, str]]:
        """The attributes as boto3's `MessageAttributes` (every value a non-empty String)."""
        return {
            name: {"DataType": "String", "StringValue": value}
            for name, value in self.attributes.items()
        }

    @property
    def size_bytes(self) -> int:
        """The size SNS checks against its limit: message, attribute names, types and values."""
        attributes = sum(
            len(name.encode()) + len(b"String") + len(value.encode())
            for name, value in self.attributes.items()
        )
        return len(self.message.encode()) + attributes


def build_notification(
    decision: Decision,
    *,
    image: ImageRef,
    action: ActionReport,
    mode: Mode,
    team: str | None,
    event_id: str | None,
    previous_verdict: Verdict | None,
    platforms: Sequence[PlatformVerdict] = (),
    image_kind: ImageKind = ImageKind.IMAGE,
    verdict: Verdict | None = None,
    outcome: Verdict | None = None,
    route: NotifiedRoute | None = None,
    changes: NotifiedChanges | None = None,
    pusher: str | None = None,
) -> SnsMessage:
    """The message about `image` (the subject) after `decision` and `action`.

    `verdict` and `outcome` are the subject's when they differ from the decision's (an index
    judged by its worst platform image); the rules and findings are always the decision's.
    `team` defaults to the route's; `changes` says what is new since the previous decision.
    """
    subject_verdict = verdict or decision.verdict
    subject_outcome = outcome or decision.outcome
    listings = worst_first_listings(decision)
    frame = NotificationV1(
        image=_notified_image(image, decision, platforms, image_kind).model_copy(
            update={"pusher": clean_text(pusher, TEXT_LIMIT)}
        ),
        verdict=subject_verdict,
        outcome=subject_outcome,
        previous_verdict=previous_verdict,
        mode=mode,
        severity=highest_severity(decision),
        team=clean_text(team or (route.team if route else None), TEXT_LIMIT),
        route=route,
        changes=changes,
        action=action,
        summary=_summary(
            image,
            verdict=subject_verdict,
            outcome=subject_outcome,
            decision=decision,
            action=action,
            mode=mode,
            platforms=platforms,
        ),
        rules=(),
        omitted=Omitted(findings=0, by_severity=zero_levels()),
        counts=_counts(decision),
        waivers=NotifiedWaivers(
            applied=_waivers(decision.waivers_applied[:_MAX_WAIVERS]),
            expired=_waivers(decision.waivers_expired[:_MAX_WAIVERS]),
        ),
        source=decision.report.source,
        report=NotifiedReport(
            origin=clean_text(decision.report.origin, URL_LIMIT) or "unknown",
            format=decision.report.format,
            status=decision.report.status,
            status_reason=clean_text(decision.report.status_reason, TEXT_LIMIT),
        ),
        rule_set=decision.rule_set,
        policy_fingerprint=decision.policy_fingerprint,
        evaluated_at=decision.evaluated_at,
        event_id=event_id,
        release_command=release_command(image, action),
    )
    draft = _Draft(
        frame=frame,
        decision=decision,
        listings=listings,
        subject=subject_line(image, subject_verdict, subject_outcome, action, mode),
        attributes=message_attributes(frame, image),
    )
    return _fit_to_budget(draft)


def highest_severity(decision: Decision) -> Severity | Literal["NONE"]:
    """The highest level with an active finding (waived ones included), or NONE."""
    for level in _SEVERITY_ORDER:
        if decision.counts.by_severity.get(level, 0) > 0:
            return level
    return NO_SEVERITY


def message_attributes(body: NotificationV1, image: ImageRef) -> dict[str, str]:
    """String attributes for subscription filters; SNS rejects empty values, so none is.

    `slack_channel` is only present when the repository's policy route names one.
    """
    attributes = {
        "verdict": body.verdict.value,
        "outcome": body.outcome.value,
        "severity": str(body.severity),
        "repository": clean_text(image.repository, 256) or "unknown",
        "team": body.team or UNKNOWN_TEAM,
        "mode": body.mode.value,
        "action": body.action.kind.value,
    }
    if body.route and body.route.slack_channel:
        attributes["slack_channel"] = body.route.slack_channel
    return attributes


def release_command(image: ImageRef, action: ActionReport) -> str | None:
    """`ecr-guard release REPOSITORY@DIGEST`, for a subject that is (still) quarantined."""
    quarantined = action.kind is ActionKind.QUARANTINE and (action.performed or action.already_done)
    if not quarantined or not image.digest:
        return None
    region = f" --region {image.region}" if image.region else ""
    return f"ecr-guard release {image.repository}@{image.digest}{region}"


# --- fitting the findings into the size budget ------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    """Everything but the findings: the budget decides how many of `listings` go in."""

    frame: NotificationV1
    decision: Decision
    listings: list[Listing]
    subject: str
    attributes: dict[str, str]
    compact: bool = False


def _fit_to_budget(draft: _Draft) -> SnsMessage:
    entries: list[NotifiedFinding] = []
    spent = _assemble(draft, entries).size_bytes
    if spent > SIZE_BUDGET:
        # Waivers can list any number of long patterns: without findings the message is still
        # too large, so waivers are only counted and rule descriptions left out.
        bare = draft.frame.model_copy(update={"waivers": NotifiedWaivers()})
        draft = replace(draft, frame=bare, compact=True)
        spent = _assemble(draft, entries).size_bytes
    for listing in draft.listings:
        entry = notified_finding(listing)
        cost = len(JSON_PROTOCOLS) * (nested_size(entry.model_dump_json()) + 1)
        if spent + cost > SIZE_BUDGET:
            break
        entries.append(entry)
        spent += cost

    # The estimate ignores the mail's own findings table: trim until the real size fits.
    message = _assemble(draft, entries)
    while message.size_bytes > SIZE_BUDGET and entries:
        excess = message.size_bytes - SIZE_BUDGET
        average = max(1, spent // max(1, len(entries)))
        del entries[max(0, len(entries) - math.ceil(excess / average) - 1) :]
        message = _assemble(draft, entries)
    return message


def _assemble(draft: _Draft, entries: list[NotifiedFinding]) -> SnsMessage:
    decision, frame = draft.decision, draft.frame
    shown_rules = decision.rules[:MAX_RULES]
    per_rule: list[list[NotifiedFinding]] = [[] for _ in shown_rules]
    for (index, *_), entry in zip(draft.listings, entries, strict=False):
        per_rule[index].append(entry)

    rules = tuple(
        notified_rule(rule, listed, with_description=not draft.compact)
        for rule, listed in zip(shown_rules, per_rule, strict=True)
    )
    omitted_waivers = (
        len(decision.waivers_applied)
        + len(decision.waivers_expired)
        - len(frame.waivers.applied)
        - len(frame.waivers.expired)
    )
    omitted = omitted_findings(draft.listings, len(entries)).model_copy(
        update={"rules": len(decision.rules) - len(shown_rules), "waivers": omitted_waivers}
    )
    body = frame.model_copy(update={"rules": rules, "omitted": omitted})

    json_body = body.model_dump_json()
    bodies = dict.fromkeys(JSON_PROTOCOLS, json_body) | {"email": render_email(body)}
    message = json.dumps(bodies, ensure_ascii=False)
    return SnsMessage(
        subject=draft.subject, message=message, attributes=draft.attributes, body=body
    )


# --- the other parts of the body ---------------------------------------------------------------


def _notified_image(
    image: ImageRef,
    decision: Decision,
    platforms: Sequence[PlatformVerdict],
    kind: ImageKind,
) -> NotifiedImage:
    evaluated = decision.image.digest if decision.image else None
    return NotifiedImage(
        repository=image.repository,
        digest=image.digest,
        tags=tuple(tag for tag in (clean_text(tag, 300) for tag in image.tags) if tag),
        account=image.account,
        region=image.region,
        kind=kind,
        display=clean_text(image.display(), 600) or image.repository,
        platforms=tuple(platforms),
        evaluated_digest=evaluated if evaluated and evaluated != image.digest else None,
    )


def _summary(
    image: ImageRef,
    *,
    verdict: Verdict,
    outcome: Verdict,
    decision: Decision,
    action: ActionReport,
    mode: Mode,
    platforms: Sequence[PlatformVerdict],
) -> str:
    """`team/app:1.2.3: FAIL: …` and what was done; for an index, its verdict across the
    platform images first, then what the platform image just evaluated showed."""
    name = image.display()
    evaluated = decision.image.digest if decision.image else None
    if not evaluated or evaluated == image.digest:
        parts = [f"{name}: {decision.summary}"]
    else:
        label = verdict.value if verdict is outcome else f"{verdict.value} as {outcome.value}"
        platform = next((item.platform for item in platforms if item.digest == evaluated), None)
        member = f"{platform} ({short_digest(evaluated)})" if platform else evaluated
        parts = [f"{name}: {label} across its platform images.", f"{member}: {decision.summary}"]
    if action.kind is not ActionKind.NONE:
        parts.append(action_sentence(action, mode))
    return clean_text(" ".join(parts), _MESSAGE_LIMIT) or name


def _counts(decision: Decision) -> NotifiedCounts:
    counts = decision.counts
    return NotifiedCounts(
        total=counts.total,
        by_severity=zero_levels() | dict(counts.by_severity),
        by_kind=dict(counts.by_kind),
        waived=counts.waived,
        inactive=counts.inactive,
    )


def _waivers(uses: Sequence[WaiverUse]) -> tuple[NotifiedWaiver, ...]:
    return tuple(
        NotifiedWaiver(
            id=clean_text(use.waiver.id, ID_LIMIT) or "unknown",
            package=clean_text(use.waiver.package, TEXT_LIMIT),
            purl=clean_text(use.waiver.purl, URL_LIMIT),
            path=clean_text(use.waiver.path, TEXT_LIMIT),
            repositories=tuple(use.waiver.repositories),
            tags=tuple(use.waiver.tags),
            reason=clean_text(use.waiver.reason, _MESSAGE_LIMIT) or "-",
            approved_by=clean_text(use.waiver.approved_by, TEXT_LIMIT) or "-",
            expires=use.waiver.expires,
            findings=sum(len(group.occurrences) for group in use.findings),
        )
        for use in uses
    )


__all__ = [
    "JSON_PROTOCOLS",
    "MAX_MESSAGE_BYTES",
    "SIZE_BUDGET",
    "SUBJECT_LIMIT",
    "SUBJECT_PREFIX",
    "UNKNOWN_TEAM",
    "SnsMessage",
    "action_phrase",
    "build_notification",
    "highest_severity",
    "message_attributes",
    "release_command",
    "subject_line",
]
