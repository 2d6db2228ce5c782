"""The Slack message: from real corpus reports and from 20,000 findings, within Slack's limits,
saying what happened, which findings, what to do; hostile report text stays inert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ecr_guard.findings.model import Finding, FindingKind, FixAvailability, Severity
from ecr_guard.guard.messages import SnsMessage, build_notification
from ecr_guard.guard.notification import (
    Baseline,
    NotificationV1,
    NotifiedChanges,
    NotifiedRoute,
    NotifyReason,
    RouteSource,
)
from ecr_guard.guard.outcome import ActionReport
from ecr_guard.images import ImageRef
from ecr_guard.notify.mrkdwn import BACKTICK_LOOKALIKE
from ecr_guard.notify.slack import HEADER_LIMIT, MAX_BLOCKS, SECTION_LIMIT, fit_blocks, render_slack
from ecr_guard.policy.decision import Decision, Verdict
from ecr_guard.policy.model import Mode

from tests.unit.guard.notify_builders import (
    CHILD_DIGEST,
    CLEAN_REPORT,
    DIGEST,
    FLASK_REPORT,
    corpus_decision,
    fail_everything_policy,
    quarantined,
    report_decision,
    subject_image,
    synthetic_decision,
    would_quarantine,
)
from tests.unit.notify.slack_limits import slack_problem

FUELTIME_REPORT = "trivy/real-fueltime-74-vulns-with-packages.json"
ROUTE = NotifiedRoute(
    team="payments", source=RouteSource.POLICY_ROUTE, slack_channel="#payments-alerts"
)


def body_of(
    decision: Decision,
    image: ImageRef,
    action: ActionReport,
    mode: Mode = Mode.ENFORCE,
    changes: NotifiedChanges | None = None,
) -> NotificationV1:
    message: SnsMessage = build_notification(
        decision,
        image=image,
        action=action,
        mode=mode,
        team=None,
        event_id="85fc3613-e913-7fc4-a80c-a3753e4aa9ae",
        previous_verdict=Verdict.FAIL,
        route=ROUTE,
        changes=changes,
        pusher="John D <johnd@demo.test>",
    )
    return message.body


def texts(payload: dict[str, Any]) -> list[str]:
    """Every text of the message, in order."""
    found = []
    for block in payload["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [item["text"] for item in block.get("fields", [])]
        found += [item["text"] for item in block.get("elements", [])]
    return found


def assert_within_slack_limits(payload: dict[str, Any]) -> None:
    assert slack_problem(json.dumps(payload).encode()) is None
    assert len(payload["blocks"]) <= MAX_BLOCKS
    for block in payload["blocks"]:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= SECTION_LIMIT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= HEADER_LIMIT


@pytest.mark.corpus
@pytest.mark.parametrize("report", [FLASK_REPORT, FUELTIME_REPORT, CLEAN_REPORT])
def test_messages_from_real_reports_stay_within_slacks_limits(corpus: Path, report: str) -> None:
    image = subject_image("1.2.3", "latest")
    body = body_of(corpus_decision(corpus, report, image), image, quarantined("1.2.3", "latest"))

    assert_within_slack_limits(render_slack(body))


@pytest.mark.corpus
def test_flask_message_says_what_happened_and_what_to_do(corpus: Path) -> None:
    image = subject_image("1.2.3", "latest")
    body = body_of(corpus_decision(corpus, FLASK_REPORT, image), image, quarantined("1.2.3"))

    payload = render_slack(body)
    every = "\n".join(texts(payload))

    assert payload["blocks"][0]["text"]["text"] == ":no_entry: FAIL team/app:1.2.3 quarantined"
    assert payload["text"] == "ecr-guard: FAIL team/app:1.2.3 quarantined"
    assert "*Team*\npayments (#payments-alerts)" in every
    assert "*Pushed by*\nJohn D &lt;johnd@" in every
    first = next(text for text in texts(payload) if text.startswith("*Findings, worst first"))
    assert first.startswith("*Findings, worst first (15 of 30)*\n")
    assert (
        "*CRITICAL* <https://avd.aquasec.com/nvd/cve-2025-15467|`CVE-2025-15467`> "
        "`libssl3t64` `3.5.1-1+deb13u1` → `3.5.4-1~deb13u2`"
    ) in first
    assert "_and 15 more (15 HIGH): the email and the JSON message list more" in every
    assert '```\nwaivers:\n  - id: "CVE-2025-15467"' in every
    assert f"```\necr-guard release team/app@{DIGEST} --region eu-west-1\n```" in every


@pytest.mark.corpus
def test_what_changed_is_the_second_thing_read(corpus: Path) -> None:
    image = subject_image("1.2.3")
    changes = NotifiedChanges(
        baseline=Baseline.TAG,
        tag="1.2.3",
        reasons=(NotifyReason.NEW_FAILING_FINDINGS,),
        previous_verdict=Verdict.FAIL,
        previous_outcome=Verdict.FAIL,
        previous_digest=CHILD_DIGEST,
        new_failing=("CVE-2025-15467",),
        new_failing_total=1,
    )
    body = body_of(
        corpus_decision(corpus, FLASK_REPORT, image),
        image,
        would_quarantine("1.2.3"),
        Mode.AUDIT,
        changes,
    )

    payload = render_slack(body)

    changed = payload["blocks"][3]["text"]["text"]
    assert changed.startswith("*What changed*\nCompared with the last decision for tag 1.2.3")
    assert "*New failing (1):* `CVE-2025-15467`" in changed
    assert payload["blocks"][0]["text"]["text"].endswith("would be quarantined (audit)")


def test_twenty_thousand_findings_are_cut_to_slacks_limits_with_and_n_more() -> None:
    image = subject_image("1.2.3")
    body = body_of(synthetic_decision(20_000, image), image, quarantined("1.2.3"))

    payload = render_slack(body)

    assert_within_slack_limits(payload)
    every = "\n".join(texts(payload))
    # The default policy's rules fire on the 10,000 CRITICAL and HIGH findings.
    assert "*Findings, worst first (15 of 10000)*" in every
    assert "_and 9985 more (2985 CRITICAL, 7000 HIGH)" in every


def test_hostile_report_text_cannot_format_mention_or_link() -> None:
    image = ImageRef(
        repository="team/app", digest=DIGEST, tags=("1.0<!here>",), account="123456789012"
    )
    finding = Finding(
        kind=FindingKind.VULNERABILITY,
        id="CVE-2026-0001 <!channel>",
        severity=Severity.CRITICAL,
        title="<https://evil.example|click here> *bold* `code` @here\nnext line",
        url="https://evil.example/x|<fake>",
        package_name="<@U0123ABC> pkg`s *x*",
        installed_version="1.0\n```",
        fixed_versions=("1.1 <!everyone>",),
        fix=FixAvailability.YES,
    )
    decision = report_decision([finding], image, fail_everything_policy())
    body = body_of(decision, image, quarantined("1.0<!here>"))

    payload = render_slack(body)
    raw = json.dumps(payload, ensure_ascii=False)

    assert_within_slack_limits(payload)
    injected = ("<!here>", "<!channel>", "<!everyone>", "<@U0123ABC>", "|click here>")
    for control in injected:
        assert control not in raw
    assert "&lt;!channel&gt;" in raw
    # The finding's own reference stays a link, its `|`, `<`, `>` percent-encoded.
    assert "<https://evil.example/x%7C%3Cfake%3E|`CVE-2026-0001 &lt;!channel&gt;`>" in raw
    assert f"pkg{BACKTICK_LOOKALIKE}s" in raw  # a backtick cannot close the code span
    assert f"1.0 {BACKTICK_LOOKALIKE * 3}" in raw  # nor end a code block
    assert payload["blocks"][0]["text"]["text"] == (
        ":no_entry: FAIL team/app:1.0\u2039!here\u203a quarantined"
    )


def test_a_clean_pass_has_no_findings_and_no_steps(corpus_free_image: ImageRef) -> None:
    decision = report_decision([], corpus_free_image, fail_everything_policy())
    body = body_of(decision, corpus_free_image, ActionReport(), Mode.AUDIT)

    payload = render_slack(body)

    assert payload["blocks"][0]["text"]["text"] == ":white_check_mark: PASS team/app:2.0.0"
    assert not any("Findings" in text or "What to do" in text for text in texts(payload))
    assert payload["blocks"][-1]["type"] == "context"


def test_too_many_blocks_are_cut_with_a_note_and_the_footer_kept() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": str(n)}} for n in range(60)]

    fitted = fit_blocks(blocks)

    assert len(fitted) == MAX_BLOCKS
    assert fitted[-1] == blocks[-1]
    assert fitted[-2]["elements"][0]["text"] == "_and 11 more blocks not shown_"


@pytest.fixture
def corpus_free_image() -> ImageRef:
    return subject_image("2.0.0")
