"""The email from real corpus reports: within the SNS limits, readable in a mail client, with
what changed, links, the pusher and a waiver entry that validates once filled in."""

from __future__ import annotations

import json
import textwrap
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from ecr_guard.guard.advice import APPROVER_PLACEHOLDER, REASON_PLACEHOLDER
from ecr_guard.guard.email_text import WIDTH
from ecr_guard.guard.messages import MAX_MESSAGE_BYTES, SnsMessage, build_notification
from ecr_guard.guard.notification import (
    Baseline,
    NotifiedChanges,
    NotifiedRoute,
    NotifyReason,
    RouteSource,
)
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.model import Mode, Waiver

from tests.unit.guard.notify_builders import (
    CHILD_DIGEST,
    FLASK_REPORT,
    corpus_decision,
    email,
    quarantined,
    subject_image,
    would_quarantine,
)

pytestmark = pytest.mark.corpus

FUELTIME_REPORT = "trivy/real-fueltime-74-vulns-with-packages.json"
REPORTS = [FLASK_REPORT, FUELTIME_REPORT]
PUSHER = "John D <johnd@demo.test>"
CHANGES = NotifiedChanges(
    baseline=Baseline.TAG,
    tag="1.2.3",
    reasons=(NotifyReason.NEW_FAILING_FINDINGS,),
    previous_verdict=Verdict.FAIL,
    previous_outcome=Verdict.FAIL,
    previous_digest=CHILD_DIGEST,
    previous_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    new_failing=("CVE-2025-15467", "CVE-2026-0861"),
    new_failing_total=2,
    no_longer_failing=("CVE-2024-0001",),
    no_longer_failing_total=1,
)


def notify(corpus: Path, report: str, *, mode: Mode = Mode.ENFORCE) -> SnsMessage:
    image = subject_image("1.2.3", "latest")
    action = quarantined("1.2.3", "latest") if mode is Mode.ENFORCE else would_quarantine()
    return build_notification(
        corpus_decision(corpus, report, image),
        image=image,
        action=action,
        mode=mode,
        team=None,
        event_id="85fc3613-e913-7fc4-a80c-a3753e4aa9ae",
        previous_verdict=Verdict.FAIL,
        route=NotifiedRoute(
            team="payments",
            source=RouteSource.POLICY_ROUTE,
            email="payments-oncall@example.com",
            slack_channel="#payments-alerts",
        ),
        changes=CHANGES,
        pusher=PUSHER,
    )


def section(text: str, title: str) -> list[str]:
    """The lines of one section: from its title to the next blank line."""
    lines = text.splitlines()
    start = lines.index(title)
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start + 1 : end]


def waiver_yaml(text: str) -> str:
    after = text.split("example:\n\n", 1)[1]
    return textwrap.dedent(after.split("\n\n", 1)[0])


@pytest.mark.parametrize("report", REPORTS)
def test_message_stays_within_the_sns_limit(corpus: Path, report: str) -> None:
    message = notify(corpus, report)

    assert message.size_bytes < MAX_MESSAGE_BYTES
    assert len(message.subject) <= 99


@pytest.mark.parametrize("report", REPORTS)
def test_prose_fits_a_mail_client_and_only_unbreakable_words_overflow(
    corpus: Path, report: str
) -> None:
    text = email(notify(corpus, report))

    for line in text.splitlines():
        if len(line) > WIDTH:
            # A digest, a URL or a command cannot break.
            assert any(len(word) > 40 for word in line.split()), line


@pytest.mark.parametrize("report", REPORTS)
def test_mail_holds_no_control_or_format_characters(corpus: Path, report: str) -> None:
    text = email(notify(corpus, report))

    odd = {char for char in text if char != "\n" and unicodedata.category(char)[0] == "C"}
    assert odd == set()


@pytest.mark.parametrize("report", REPORTS)
def test_findings_columns_line_up_under_their_headers(corpus: Path, report: str) -> None:
    text = email(notify(corpus, report))
    lines = text.splitlines()
    header = next(line for line in lines if line.split()[:2] == ["SEVERITY", "ID"])
    rows = lines[lines.index(header) + 1 :]
    rows = rows[: next(i for i, line in enumerate(rows) if not line.startswith("  ") or not line)]
    starts = [header.index(column) for column in ("ID", "PACKAGE", "INSTALLED", "FIXED")]

    assert rows
    for row in rows[:20]:
        for start in starts:
            assert row[start - 2 : start] == "  ", (row, start)
            assert row[start] != " ", (row, start)


def test_fueltime_mail_lists_its_worst_findings_with_fixes_and_links(corpus: Path) -> None:
    text = email(notify(corpus, FUELTIME_REPORT))

    references = section(text, "References")
    assert "  CVE-2026-0861   https://avd.aquasec.com/nvd/cve-2026-0861" in references
    assert all(" https://" in line for line in references)
    assert "Findings, worst first (19 of 19)" in text
    assert "  HIGH      CVE-2026-0861   libc-bin        2.41-12           no fix\n" in text


@pytest.mark.parametrize("report", REPORTS)
def test_waiver_entry_validates_once_its_placeholders_are_filled(corpus: Path, report: str) -> None:
    block = waiver_yaml(email(notify(corpus, report)))
    assert REASON_PLACEHOLDER in block
    assert APPROVER_PLACEHOLDER in block

    filled = block.replace(REASON_PLACEHOLDER, "Not reachable: the service has no TLS server.")
    filled = filled.replace(APPROVER_PLACEHOLDER, "security@example.com")
    (entry,) = yaml.safe_load(filled)["waivers"]
    waiver = Waiver.model_validate(entry)

    assert waiver.repositories == ["team/app"]
    assert waiver.tags == ["*"]
    assert waiver.expires.isoformat() == "2027-01-02"
    assert waiver.reason.startswith("Not reachable")


def test_mail_says_what_changed_since_the_tags_last_decision(corpus: Path) -> None:
    text = email(notify(corpus, FLASK_REPORT))

    changed = " ".join(section(text, "What changed"))
    assert (
        "Compared with the last decision for tag 1.2.3 (digest sha256:0123456789ab, "
        "2026-12-01 09:30 UTC): it was FAIL."
    ) in " ".join(changed.split())
    assert "New failing (2): CVE-2025-15467, CVE-2026-0861" in changed
    assert "No longer failing (1): CVE-2024-0001" in changed


def test_mail_names_the_pusher_and_the_teams_route(corpus: Path) -> None:
    text = email(notify(corpus, FLASK_REPORT))

    assert f"Pushed by   {PUSHER}\n" in text
    assert "Team        payments (policy route; payments-oncall@example.com,\n" in text


def test_first_decision_says_so(corpus: Path) -> None:
    image = subject_image("1.2.3")
    first = NotifiedChanges(
        baseline=Baseline.TAG, tag="1.2.3", reasons=(NotifyReason.FIRST_DECISION,)
    )
    message = build_notification(
        corpus_decision(corpus, FLASK_REPORT, image),
        image=image,
        action=would_quarantine("1.2.3"),
        mode=Mode.AUDIT,
        team="payments",
        event_id=None,
        previous_verdict=None,
        changes=first,
    )

    assert section(email(message), "What changed") == [
        "  First decision for this image's tag 1.2.3."
    ]
    assert json.loads(json.loads(message.message)["default"])["changes"]["reasons"] == [
        "first-decision"
    ]
