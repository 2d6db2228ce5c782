"""What a developer can do about a decision, the same in every channel (email, Slack, Chatbot):
upgrade, add a waiver (the exact policy entry, placeholders to fill in), release.

Every value comes from the notification body, whose text is already cleaned; each renderer
escapes it for its own format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from ecr_guard.findings.model import FIX_VERSION_NOT_GIVEN, NO_FIX, FindingKind, FixAvailability
from ecr_guard.guard.notification import NotificationV1, NotifiedFinding, NotifiedRule, worst_first
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import RuleVerdict

WAIVER_DAYS = 30
"""The expiry suggested in the example waiver, counted from the evaluation."""
REASON_PLACEHOLDER = "<why the risk is accepted>"
APPROVER_PLACEHOLDER = "<who accepts it: name or email>"


@dataclass(frozen=True)
class Step:
    """One thing to do: a sentence, and lines to copy as they are (YAML, a command)."""

    text: str
    code: tuple[str, ...] = ()
    inline: str | None = field(default=None)
    """`code` on one line, where it has several."""


def next_steps(body: NotificationV1, rows: list[NotifiedFinding], *, shown: int) -> list[Step]:
    """The steps for this decision; `rows` are the distinct findings worst first, of which the
    first `shown` are listed in the message."""
    steps: list[Step] = []
    if body.verdict is Verdict.UNKNOWN:
        steps.append(
            Step(
                "The scan could not be used. Scanners cannot read images without a package "
                "manager (scratch, distroless): upload a Trivy report for this digest, or ask the "
                "policy owners how `image.unknown` should treat such images."
            )
        )
    if any(row.fixed for row in rows[:shown]):
        steps.append(Step("Upgrade the listed packages to a fixed version, rebuild and push."))
    if rows and body.outcome in (Verdict.FAIL, Verdict.WARN):
        steps.append(
            Step(
                "To accept a risk instead, add a waiver to the policy's `waivers:` list, fill in "
                "the reason and the approver, and keep the expiry short, for example:",
                tuple(waiver_entry(body, rows[0])),
                inline=waiver_flow(body, rows[0]),
            )
        )
    if body.release_command:
        steps.append(
            Step(
                "Once fixed or waived, the guard releases the image on its next evaluation. "
                "To release it now:",
                (body.release_command,),
            )
        )
    return steps


def waiver_entry(body: NotificationV1, finding: NotifiedFinding) -> list[str]:
    """The YAML to add under `waivers:`, one key a line."""
    fields = waiver_fields(body, finding)
    return ["waivers:", f"  - {fields[0]}"] + [f"    {field}" for field in fields[1:]]


def waiver_flow(body: NotificationV1, finding: NotifiedFinding) -> str:
    """The same entry on one line (a YAML flow mapping), for channels without code blocks."""
    return "- {" + ", ".join(waiver_fields(body, finding)) + "}"


def waiver_fields(body: NotificationV1, finding: NotifiedFinding) -> list[str]:
    """`key: value` pairs of the waiver. Strings are JSON-quoted (valid YAML whatever they
    hold); the reason and approver are placeholders, the expiry 30 days after the decision."""
    expires = (body.evaluated_at + timedelta(days=WAIVER_DAYS)).date().isoformat()
    fields = [f"id: {json.dumps(finding.id)}"]
    if finding.package:
        fields.append(f"package: {json.dumps(finding.package)}")
    elif finding.path:
        fields.append(f"path: {json.dumps(finding.path)}")
    return [
        *fields,
        f"repositories: [{json.dumps(body.image.repository)}]",
        'tags: ["*"]',
        f"reason: {json.dumps(REASON_PLACEHOLDER)}",
        f"approved_by: {json.dumps(APPROVER_PLACEHOLDER)}",
        f"expires: {expires}",
    ]


def distinct_rows(rules: Iterable[NotifiedRule]) -> list[NotifiedFinding]:
    """Each listed finding once (a finding can sit under several rules), worst first."""
    keyed: dict[tuple[object, ...], tuple[RuleVerdict, NotifiedFinding]] = {}
    for rule in rules:
        for finding in rule.findings:
            key = (finding.id, finding.package, finding.installed, finding.path, finding.line)
            known = keyed.get(key)
            if known is None or (rule.verdict is RuleVerdict.FAIL and known[0] is RuleVerdict.WARN):
                keyed[key] = (rule.verdict, finding)
    ordered = sorted(keyed.values(), key=lambda pair: worst_first(*pair))
    return [finding for _, finding in ordered]


def fix_text(finding: NotifiedFinding) -> str:
    """The fixed versions; `no fix` for an unfixed vulnerability; empty for other kinds."""
    if finding.fixed:
        return ", ".join(finding.fixed)
    if finding.kind is not FindingKind.VULNERABILITY:
        return ""
    return NO_FIX if finding.fix is FixAvailability.NO else FIX_VERSION_NOT_GIVEN
