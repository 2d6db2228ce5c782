"""The email body: readable text that says what happened and what to do about it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from ecr_guard.findings.model import Finding, FindingKind, FixAvailability, Severity
from ecr_guard.guard.messages import build_notification
from ecr_guard.guard.notification import clean_text
from ecr_guard.guard.outcome import ActionKind, ActionReport
from ecr_guard.images import ImageRef
from ecr_guard.policy.decision import Decision, Verdict
from ecr_guard.policy.load import parse_policy
from ecr_guard.policy.model import Mode

from tests.unit.guard.notify_builders import (
    CLEAN_REPORT,
    DIGEST,
    FLASK_REPORT,
    corpus_decision,
    email,
    fail_everything_policy,
    failed_scan_decision,
    quarantined,
    report_decision,
    subject_image,
    synthetic_findings,
    would_quarantine,
)

RELEASE_COMMAND = f"ecr-guard release team/app@{DIGEST} --region eu-west-1"


def mail(
    decision: Decision,
    image: ImageRef,
    action: ActionReport,
    mode: Mode = Mode.ENFORCE,
    team: str | None = "payments",
) -> str:
    message = build_notification(
        decision,
        image=image,
        action=action,
        mode=mode,
        team=team,
        event_id="85fc3613-e913-7fc4-a80c-a3753e4aa9ae",
        previous_verdict=Verdict.PASS,
    )
    return email(message)


def flat(text: str) -> str:
    """The text with line breaks and runs of spaces as single spaces, to find wrapped phrases."""
    return " ".join(text.split())


def waiver_block(text: str) -> str:
    """The YAML example: the indented lines after the waiver step, up to the blank line."""
    after = text.split("example:\n\n", 1)[1]
    return textwrap.dedent(after.split("\n\n", 1)[0])


@pytest.fixture
def flask_mail(corpus: Path) -> str:
    image = subject_image("1.2.3", "latest")
    decision = corpus_decision(corpus, FLASK_REPORT, image)
    return mail(decision, image, quarantined("1.2.3", "latest"))


@pytest.mark.corpus
def test_mail_says_which_image_failed_and_what_was_done(flask_mail: str) -> None:
    assert flask_mail.startswith("ecr-guard: FAIL (previously PASS) for team/app:1.2.3\n")
    assert "Tags        1.2.3, latest\n" in flask_mail
    assert f"Digest      {DIGEST}\n" in flask_mail
    assert "Team        payments\n" in flask_mail
    assert "Quarantined by retag: removed the deployable tags 1.2.3, latest;" in flat(flask_mail)
    assert "Event       85fc3613-e913-7fc4-a80c-a3753e4aa9ae\n" in flask_mail


@pytest.mark.corpus
def test_mail_lists_findings_in_aligned_columns_with_fixed_versions(flask_mail: str) -> None:
    lines = flask_mail.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("SEVERITY"))
    first = lines[lines.index(header) + 1]

    assert header.split() == ["SEVERITY", "ID", "PACKAGE", "INSTALLED", "FIXED"]
    assert first.split() == [
        "CRITICAL",
        "CVE-2025-15467",
        "libssl3t64",
        "3.5.1-1+deb13u1",
        "3.5.4-1~deb13u2",
    ]
    assert first.index("CVE-2025-15467") == header.index("ID")
    assert first.index("3.5.4-1~deb13u2") == header.index("FIXED")
    assert "Findings, worst first (20 of 30)" in flask_mail
    assert "10 more not listed here (10 HIGH)." in flask_mail


@pytest.mark.corpus
def test_mail_explains_how_to_release(flask_mail: str) -> None:
    assert f"\n      {RELEASE_COMMAND}\n" in flask_mail


@pytest.mark.corpus
def test_waiver_example_is_a_valid_policy_entry_for_the_top_finding(flask_mail: str) -> None:
    block = waiver_block(flask_mail)

    policy = parse_policy("version: 1\n" + block, origin="waiver-example.yaml")

    (waiver,) = policy.waivers
    assert (waiver.id, waiver.package, waiver.repositories) == (
        "CVE-2025-15467",
        "libssl3t64",
        ["team/app"],
    )
    assert waiver.expires.isoformat() == "2027-01-02"


@pytest.mark.corpus
def test_prose_lines_stay_within_78_characters(flask_mail: str) -> None:
    long_lines = [line for line in flask_mail.splitlines() if len(line) > 78]

    assert all(any(len(word) > 60 for word in line.split()) for line in long_lines), long_lines


@pytest.mark.corpus
def test_audit_mode_mail_says_what_would_have_happened(corpus: Path) -> None:
    image = subject_image("1.2.3")
    decision = corpus_decision(corpus, FLASK_REPORT, image)

    text = mail(decision, image, would_quarantine("1.2.3"), mode=Mode.AUDIT)

    assert "Would be quarantined by retag: the deployable tags 1.2.3 would be removed" in flat(text)
    assert "Audit mode: nothing was changed." in flat(text)
    assert "ecr-guard release" not in text


@pytest.mark.corpus
def test_untagged_image_is_shown_by_digest(corpus: Path) -> None:
    image = subject_image()
    decision = corpus_decision(corpus, FLASK_REPORT, image)

    text = mail(decision, image, quarantined())

    assert text.startswith(f"ecr-guard: FAIL (previously PASS) for team/app@{DIGEST}\n")
    assert "Tags        (untagged)\n" in text
    assert "None" not in text


@pytest.mark.corpus
def test_release_mail_lists_restored_and_skipped_tags(corpus: Path) -> None:
    image = subject_image("1.2.3")
    decision = corpus_decision(corpus, CLEAN_REPORT, image)
    action = ActionReport(
        kind=ActionKind.RELEASE,
        performed=True,
        tags_restored=("1.2.3",),
        tags_skipped=("latest",),
    )

    text = mail(decision, image, action)

    assert "Released from quarantine: restored the tags 1.2.3." in flat(text)
    assert "Not restored, because they now point at another image: latest." in flat(text)
    assert "What to do" not in text


def test_unusable_scan_mail_says_why_and_what_to_do() -> None:
    image = subject_image("1.2.3")

    text = mail(failed_scan_decision(image), image, ActionReport())

    assert "Verdict     UNKNOWN (handled as WARN)\n" in text
    assert "Scan        FAILED: UnsupportedImageError:" in text
    assert "  - The scan could not be used." in text


def test_failed_action_is_reported() -> None:
    image = subject_image("1.2.3")
    action = ActionReport(
        kind=ActionKind.QUARANTINE,
        error="the repository's tags are IMMUTABLE without an exclusion for quarantine-sha256-*",
    )

    text = mail(failed_scan_decision(image), image, action)

    assert "The quarantine failed: the repository's tags are IMMUTABLE" in flat(text)


def test_untrusted_report_text_cannot_break_or_disguise_the_mail() -> None:
    image = ImageRef(repository="team/app", digest=DIGEST, tags=("1.2.3\nBcc: someone",))
    finding = Finding(
        kind=FindingKind.VULNERABILITY,
        id="CVE-2026-0001\r\nX-Injected: 1",
        severity=Severity.CRITICAL,
        title="evil\x1b[31m red \u202etxt.exe",
        package_name="pkg\n\x07bell\u2028" + "x" * 400,
        installed_version="1.0\t\t",
        fixed_versions=("1.1\x00",),
        fix=FixAvailability.YES,
    )
    decision = report_decision([finding], image, fail_everything_policy())

    text = mail(decision, image, quarantined("1.2.3"))

    assert not any(char in text for char in "\x1b\x07\x00\r\u202e\u2028\t")
    assert "\nBcc:" not in text
    assert "\nX-Injected" not in text
    assert "Tags        1.2.3 Bcc: someone\n" in text
    row = next(line for line in text.splitlines() if line.startswith("  CRITICAL"))
    assert row.split()[:3] == ["CRITICAL", "CVE-2026-0001", "X-Inj…"]
    assert len(row) <= 78


def test_mail_names_expired_waivers_whose_findings_count_again() -> None:
    image = subject_image("1.2.3")
    policy = parse_policy(
        textwrap.dedent(
            """
            version: 1
            rules:
              - id: critical-vulnerabilities
                verdict: fail
                severity: CRITICAL
            waivers:
              - id: CVE-2026-00000
                reason: base image rebuild scheduled
                approved_by: security@example.com
                expires: 2027-06-30
              - id: CVE-2026-00001
                reason: fix promised by the vendor
                approved_by: security@example.com
                expires: 2026-01-01
            """
        ),
        origin="waivers.yaml",
    )
    decision = report_decision(synthetic_findings(3), image, policy)

    text = mail(decision, image, quarantined("1.2.3"))

    assert (
        "Waivers 1 applied, 1 expired (CVE-2026-00001): findings they covered count again"
        in flat(text)
    )


def test_a_huge_value_is_cut_to_its_limit_with_a_mark() -> None:
    assert clean_text("x" * 5_000_000, 200) == "x" * 199 + "…"
    assert clean_text("short\n\ttext", 200) == "short text"
    assert clean_text(" \u200b\n ", 200) is None
