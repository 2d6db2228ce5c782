"""What a decision says: summary and messages, fingerprint, and that it never varies."""

from __future__ import annotations

import random
from textwrap import dedent

from ecr_guard.findings.model import FixAvailability, ReportSource, ScanStatus
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.fingerprint import policy_fingerprint
from ecr_guard.policy.load import parse_policy

from tests.unit.policy.builders import decide, misconfig, report, secret, vuln

DEFAULTISH = """
rules:
  - {id: critical-vulnerabilities, verdict: fail, kind: vulnerability, severity: CRITICAL}
  - {id: secrets, verdict: fail, kind: secret}
  - {id: high-vulnerabilities, verdict: warn, kind: vulnerability, severity: [HIGH]}
  - {id: misconfigurations, verdict: warn, kind: misconfiguration}
"""

LOG4SHELL = vuln(
    "CVE-2021-44228", "CRITICAL", package="log4j-core", installed="2.14.1", fixed=("2.15.0",)
)


def test_fail_summary_names_the_rule_and_the_worst_finding():
    scan = report(
        vuln("CVE-2021-45046", "CRITICAL", package="log4j-core", installed="2.14.1", cvss=9.0),
        LOG4SHELL.model_copy(update={"cvss_score": 10.0}),
        vuln("CVE-2022-1", "HIGH"),
    )

    decision = decide(scan, DEFAULTISH)

    assert decision.summary == (
        "FAIL: 2 vulnerabilities break rule critical-vulnerabilities (worst: CVE-2021-44228 in "
        "log4j-core 2.14.1, fixed in 2.15.0); 1 more rule fired: high-vulnerabilities."
    )


def test_rule_message_lists_up_to_three_findings():
    scan = report(
        *(vuln(f"CVE-2024-{n}", "CRITICAL", package=f"pkg{n}", installed="1") for n in range(5))
    )

    decision = decide(scan, DEFAULTISH)

    assert decision.rules[0].message == (
        "5 vulnerabilities match rule critical-vulnerabilities: CVE-2024-0 in pkg0 1, no fix yet; "
        "CVE-2024-1 in pkg1 1, no fix yet; CVE-2024-2 in pkg2 1, no fix yet; and 2 more."
    )


def test_rule_message_says_a_fix_exists_when_the_scanner_names_no_version():
    scan = report(
        vuln("CVE-2024-7", "CRITICAL", package="zlib", installed="1.2", fix=FixAvailability.YES)
    )

    decision = decide(scan, DEFAULTISH)

    assert decision.rules[0].message == (
        "1 vulnerability matches rule critical-vulnerabilities: CVE-2024-7 in zlib 1.2, fixed in a "
        "version the scanner does not name."
    )


def test_message_mentions_the_other_packages_of_a_vulnerability():
    scan = report(
        LOG4SHELL, vuln("CVE-2021-44228", "CRITICAL", package="log4j-api", installed="2.14.1")
    )

    decision = decide(scan, DEFAULTISH)

    assert decision.rules[0].message == (
        "1 vulnerability matches rule critical-vulnerabilities: CVE-2021-44228 in log4j-core "
        "2.14.1 and 1 more package, fixed in 2.15.0."
    )


def test_secret_summary_names_the_file_and_line():
    decision = decide(report(secret()), DEFAULTISH)

    assert decision.summary == (
        "FAIL: 1 secret breaks rule secrets (worst: AWS Access Key ID in app/config.py line 3)."
    )


def test_warn_summary_for_a_misconfiguration():
    decision = decide(report(misconfig()), DEFAULTISH)

    assert decision.summary == (
        "WARN: 1 misconfiguration breaks rule misconfigurations "
        "(worst: DS002 in Dockerfile: Image user should not be 'root')."
    )


def test_mixed_kinds_are_called_findings():
    decision = decide(report(secret(), misconfig()), "rules: [{id: all, verdict: fail}]\n")

    assert decision.rules[0].message.startswith("2 findings match rule all: ")


def test_rule_description_travels_with_the_outcome():
    decision = decide(report(LOG4SHELL), "rules: [{id: x, verdict: fail, description: Upgrade.}]\n")

    assert decision.rules[0].description == "Upgrade."


def test_pass_summary_without_findings():
    assert decide(report(), DEFAULTISH).summary == "PASS: the scan found no active findings."


def test_report_summary_is_copied_from_the_report():
    scan = report(status=ScanStatus.FAILED, status_reason="boom", source=ReportSource.ECR_BASIC)

    decision = decide(scan, DEFAULTISH)

    assert decision.report.model_dump() == {
        "source": ReportSource.ECR_BASIC,
        "origin": "report.json",
        "format": "trivy-json-v2",
        "status": ScanStatus.FAILED,
        "status_reason": "boom",
    }


def test_fingerprint_ignores_layout_comments_and_case():
    compact = parse_policy("rules: [{id: a, verdict: fail, severity: HIGH}]\n", origin="a.yaml")
    spread = parse_policy(
        dedent(
            """\
            # the same policy, written differently
            version: 1
            rules:
              - severity: high
                verdict: FAIL
                id: a
            """
        ),
        origin="b.yaml",
    )

    assert policy_fingerprint(compact) == policy_fingerprint(spread)
    assert policy_fingerprint(compact).startswith("sha256:")
    assert len(policy_fingerprint(compact)) == len("sha256:") + 64


def test_fingerprint_changes_with_meaning():
    first = parse_policy("rules: [{id: a, verdict: fail}]\n", origin="a.yaml")
    second = parse_policy("rules: [{id: a, verdict: warn}]\n", origin="a.yaml")

    assert policy_fingerprint(first) != policy_fingerprint(second)


def test_decision_carries_the_policy_fingerprint():
    policy = parse_policy(DEFAULTISH, origin="p.yaml")

    assert decide(report(), policy).policy_fingerprint == policy_fingerprint(policy)


def test_same_inputs_give_identical_decisions():
    findings = [vuln(f"CVE-2024-{n % 7}", "HIGH", package=f"p{n}", cvss=n % 10) for n in range(40)]
    scan = report(*findings, secret(), misconfig())
    policy = parse_policy(DEFAULTISH, origin="p.yaml")

    first = decide(scan, policy)
    second = decide(scan, policy)

    assert first.model_dump_json() == second.model_dump_json()


def test_report_order_does_not_change_which_findings_fire_or_their_order():
    findings = [vuln(f"CVE-2024-{n}", "HIGH", package="p", cvss=n / 2) for n in range(12)]
    shuffled = findings[:]
    random.Random(7).shuffle(shuffled)

    first = decide(report(*findings), DEFAULTISH)
    second = decide(report(*shuffled), DEFAULTISH)

    assert [g.id for g in first.rules[0].findings] == [g.id for g in second.rules[0].findings]
    assert first.summary == second.summary
    assert first.verdict is Verdict.WARN
