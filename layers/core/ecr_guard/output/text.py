"""Small text helpers shared by the human-readable formats."""

from __future__ import annotations

import re
import unicodedata

from ecr_guard.findings.model import FindingKind, Severity
from ecr_guard.policy.decision import Counts, Decision, Verdict

# C0 and C1 control characters, DEL included: report text must never drive the terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")

SEVERITY_ORDER = sorted(Severity, key=lambda severity: severity.rank, reverse=True)
KIND_LABELS = {
    FindingKind.VULNERABILITY: ("vulnerability", "vulnerabilities"),
    FindingKind.SECRET: ("secret", "secrets"),
    FindingKind.MISCONFIGURATION: ("misconfiguration", "misconfigurations"),
}


def clean(text: str | None, *, limit: int | None = None) -> str:
    """One printable line: control characters and line breaks become spaces, runs collapse."""
    if not text:
        return ""
    flat = _SPACES.sub(" ", _CONTROL.sub(" ", unicodedata.normalize("NFC", text))).strip()
    if limit is not None and len(flat) > limit:
        return flat[: max(limit - 1, 0)].rstrip() + "…"
    return flat


def plural(count: int, singular: str, several: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (several or singular + 's')}"


def verdict_label(decision: Decision) -> str:
    """`FAIL`, or `UNKNOWN (handled as WARN)` when the policy maps an UNKNOWN verdict."""
    if decision.verdict is Verdict.UNKNOWN and decision.outcome is not Verdict.UNKNOWN:
        return f"UNKNOWN (handled as {decision.outcome.value})"
    return decision.verdict.value


def severity_totals(counts: Counts) -> str:
    """`3 CRITICAL, 27 HIGH, 0 MEDIUM, 1 LOW, 0 UNKNOWN`: every level, zero included."""
    return ", ".join(
        f"{counts.by_severity.get(level, 0)} {level.value}" for level in SEVERITY_ORDER
    )


def kind_totals(counts: Counts) -> str:
    """`202 vulnerabilities, 0 secrets, 0 misconfigurations`."""
    parts = []
    for kind, (singular, several) in KIND_LABELS.items():
        parts.append(plural(counts.by_kind.get(kind, 0), singular, several))
    return ", ".join(parts)


def short_fingerprint(fingerprint: str) -> str:
    """`sha256:0123456789ab`: enough to tell two policies apart in a human-readable line."""
    algorithm, _, digest = fingerprint.partition(":")
    return f"{algorithm}:{digest[:12]}" if digest else fingerprint[:19]
