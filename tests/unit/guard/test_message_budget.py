"""The 256 KiB SNS limit: findings worst first until the budget is spent, the rest counted."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from ecr_guard.findings.model import Finding, FindingKind, FixAvailability, Severity
from ecr_guard.guard.messages import MAX_MESSAGE_BYTES, SnsMessage, build_notification
from ecr_guard.policy.decision import Decision
from ecr_guard.policy.model import Mode, Policy, RuleVerdict

from tests.unit.guard.notify_builders import (
    email,
    fail_everything_policy,
    overlapping_policy,
    quarantined,
    report_decision,
    subject_image,
    synthetic_decision,
    synthetic_findings,
)

IMAGE = subject_image("1.2.3")


def notify(decision: Decision) -> SnsMessage:
    return build_notification(
        decision,
        image=IMAGE,
        action=quarantined("1.2.3"),
        mode=Mode.ENFORCE,
        team="payments",
        event_id="evt-20000",
        previous_verdict=None,
    )


def published_size(message: SnsMessage) -> int:
    """What SNS counts, recomputed here: the Message string and every attribute."""
    attributes = sum(
        len(name.encode()) + len(b"String") + len(value.encode())
        for name, value in message.attributes.items()
    )
    return len(message.message.encode("utf-8")) + attributes


def identity(finding_id: str, package: str | None, installed: str | None) -> tuple[object, ...]:
    return (finding_id, package, installed)


def decision_identities(decision: Decision) -> dict[tuple[object, ...], Finding]:
    return {
        identity(group.id, occurrence.package_name, occurrence.installed_version): occurrence
        for rule in decision.rules
        for group in rule.findings
        for occurrence in group.occurrences
    }


def listed_identities(message: SnsMessage) -> set[tuple[object, ...]]:
    return {
        identity(finding.id, finding.package, finding.installed)
        for rule in message.body.rules
        for finding in rule.findings
    }


@pytest.fixture(scope="module")
def twenty_thousand() -> tuple[Decision, SnsMessage]:
    decision = synthetic_decision(20_000, IMAGE)
    return decision, notify(decision)


def test_twenty_thousand_findings_fit_in_one_sns_message(
    twenty_thousand: tuple[Decision, SnsMessage],
) -> None:
    _, message = twenty_thousand

    assert published_size(message) == message.size_bytes
    assert published_size(message) <= MAX_MESSAGE_BYTES
    assert len(listed_identities(message)) >= 100


def test_each_rule_says_how_many_of_its_findings_it_lists(
    twenty_thousand: tuple[Decision, SnsMessage],
) -> None:
    decision, message = twenty_thousand

    totals = [
        (rule.rule_id, sum(len(group.occurrences) for group in rule.findings))
        for rule in decision.rules
    ]
    assert totals == [
        ("critical-vulnerabilities", 3000),
        ("fixable-high-vulnerabilities", 5000),
        ("unfixed-high-vulnerabilities", 2000),
    ]
    for rule, (rule_id, total) in zip(message.body.rules, totals, strict=True):
        assert (rule.id, rule.findings_total) == (rule_id, total)
        assert rule.findings_omitted == total - len(rule.findings)


def test_omitted_counts_every_finding_left_out_once(
    twenty_thousand: tuple[Decision, SnsMessage],
) -> None:
    decision, message = twenty_thousand

    every = decision_identities(decision)
    left_out = set(every) - listed_identities(message)
    expected = Counter(every[key].severity for key in left_out)
    assert (
        message.body.omitted.findings == len(left_out) == 10_000 - len(listed_identities(message))
    )
    assert {level: count for level, count in message.body.omitted.by_severity.items() if count} == (
        dict(expected)
    )
    assert message.body.omitted.by_severity[Severity.MEDIUM] == 0


def test_findings_are_listed_worst_first(twenty_thousand: tuple[Decision, SnsMessage]) -> None:
    decision, message = twenty_thousand

    listed = [finding for rule in message.body.rules for finding in rule.findings]
    keys = [(-finding.severity.rank, -(finding.cvss_score or 0.0)) for finding in listed]
    assert keys == sorted(keys)
    assert {finding.severity for finding in listed} == {Severity.CRITICAL}
    shown = listed_identities(message)
    left_out_critical = [
        occurrence.cvss_score or 0.0
        for key, occurrence in decision_identities(decision).items()
        if key not in shown and occurrence.severity is Severity.CRITICAL
    ]
    assert min(finding.cvss_score or 0.0 for finding in listed) >= max(left_out_critical)


def test_mail_lists_the_top_twenty_and_counts_the_rest(
    twenty_thousand: tuple[Decision, SnsMessage],
) -> None:
    _, message = twenty_thousand

    text = email(message)

    assert "Findings, worst first (20 of 10000)" in text
    assert "9980 more not listed here (2980 CRITICAL, 7000 HIGH)." in text


def test_a_finding_under_two_rules_is_omitted_once() -> None:
    decision = synthetic_decision(20_000, IMAGE, overlapping_policy())

    message = notify(decision)

    critical_rule, fixable_rule = message.body.rules
    assert (critical_rule.verdict, fixable_rule.verdict) == (RuleVerdict.FAIL, RuleVerdict.WARN)
    every = decision_identities(decision)
    assert message.body.omitted.findings == len(set(every) - listed_identities(message))
    assert critical_rule.findings_total + fixable_rule.findings_total > len(every)
    assert published_size(message) <= MAX_MESSAGE_BYTES


def test_multibyte_and_escaped_text_is_counted_at_its_real_size() -> None:
    findings = [
        Finding(
            kind=FindingKind.VULNERABILITY,
            id=f"CVE-2026-{number:05d}",
            severity=Severity.HIGH,
            title='漏洞 "quoted" \\ back' * 40,
            package_name=f'pkg"{number}\\name',
            installed_version="1.0",
            fixed_versions=("1.1",),
            fix=FixAvailability.YES,
        )
        for number in range(3000)
    ]

    message = notify(report_decision(findings, IMAGE, fail_everything_policy()))

    assert published_size(message) <= MAX_MESSAGE_BYTES
    default = json.loads(json.loads(message.message)["default"])
    assert default["rules"][0]["findings"][0]["package"] == 'pkg"0\\name'
    assert len(default["rules"][0]["findings"][0]["title"]) == 200


def waiver(finding_id: str, expires: str, repositories: list[str]) -> dict[str, object]:
    return {
        "id": finding_id,
        "repositories": repositories,
        "reason": "accepted until the base image is rebuilt",
        "approved_by": "security@example.com",
        "expires": expires,
    }


def test_waivers_too_large_to_list_are_counted_instead() -> None:
    long_patterns = [f"team/{'x' * 200}-{number}" for number in range(60)] + ["team/*"]
    waivers = [
        waiver(f"CVE-2026-{number:05d}", "2027-06-30", long_patterns) for number in range(40)
    ]
    policy = Policy.model_validate(
        {"rules": [{"id": "any-finding", "verdict": "fail"}], "waivers": waivers}
    )
    decision = report_decision(synthetic_findings(200), IMAGE, policy)

    message = notify(decision)

    assert len(decision.waivers_applied) == 40
    assert published_size(message) <= MAX_MESSAGE_BYTES
    assert message.body.waivers.applied == ()
    assert message.body.omitted.waivers == 40
    assert len(listed_identities(message)) == 160
