from __future__ import annotations

import pytest
from ecr_guard.findings.model import FixAvailability, ScanStatus, Severity
from ecr_guard.policy.decision import Verdict
from ecr_guard.policy.load import default_policy
from ecr_guard.policy.model import RuleVerdict, UnknownHandling

from tests.unit.policy.builders import decide, fired, misconfig, report, secret, vuln


def test_default_policy_rules_are_the_documented_ones():
    policy = default_policy()

    assert [(rule.id, rule.verdict) for rule in policy.rules] == [
        ("critical-vulnerabilities", RuleVerdict.FAIL),
        ("fixable-high-vulnerabilities", RuleVerdict.FAIL),
        ("high-risk-secrets", RuleVerdict.FAIL),
        ("unfixed-high-vulnerabilities", RuleVerdict.WARN),
    ]
    assert policy.image.unknown is UnknownHandling.WARN
    assert all(rule.description for rule in policy.rules)


def test_default_policy_is_read_once():
    assert default_policy() is default_policy()


@pytest.mark.parametrize("fixed", [("2.15.0",), ()])
def test_any_critical_vulnerability_fails(fixed: tuple[str, ...]):
    decision = decide(report(vuln("CVE-2021-44228", "CRITICAL", fixed=fixed)), default_policy())

    assert decision.verdict is Verdict.FAIL
    assert fired(decision) == {"critical-vulnerabilities": ["CVE-2021-44228"]}


def test_fixable_high_vulnerability_fails():
    decision = decide(report(vuln("CVE-2023-1", "HIGH", fixed=("1.2",))), default_policy())

    assert decision.verdict is Verdict.FAIL
    assert fired(decision) == {"fixable-high-vulnerabilities": ["CVE-2023-1"]}


def test_high_vulnerability_fixed_in_one_of_its_packages_fails():
    scan = report(
        vuln("CVE-2023-1", "HIGH", package="libssl", fixed=("1.2",)),
        vuln("CVE-2023-1", "HIGH", package="openssl"),
    )

    decision = decide(scan, default_policy())

    assert fired(decision) == {"fixable-high-vulnerabilities": ["CVE-2023-1"]}
    assert decision.rules[0].findings[0].fix is FixAvailability.PARTIAL


def test_unfixed_high_vulnerability_warns():
    decision = decide(report(vuln("CVE-2023-2", "HIGH")), default_policy())

    assert decision.verdict is Verdict.WARN
    assert decision.outcome is Verdict.WARN
    assert fired(decision) == {"unfixed-high-vulnerabilities": ["CVE-2023-2"]}


@pytest.mark.parametrize("severity", [Severity.HIGH, Severity.CRITICAL])
def test_high_or_critical_secret_fails(severity: Severity):
    decision = decide(report(secret(severity=severity)), default_policy())

    assert decision.verdict is Verdict.FAIL
    assert fired(decision) == {"high-risk-secrets": ["aws-access-key-id"]}


def test_medium_secret_passes():
    decision = decide(report(secret(severity="MEDIUM")), default_policy())

    assert decision.verdict is Verdict.PASS


def test_lower_severities_and_misconfigurations_pass():
    scan = report(
        vuln("CVE-2023-3", "MEDIUM", fixed=("2",)),
        vuln("CVE-2023-4", "LOW"),
        vuln("CVE-2023-5", "UNKNOWN"),
        misconfig(severity="CRITICAL"),
    )

    decision = decide(scan, default_policy())

    assert decision.verdict is Verdict.PASS
    assert decision.rules == ()
    assert decision.summary == "PASS: none of the 4 active findings breaks a rule."


def test_failed_scan_is_unknown_handled_as_warning():
    scan = report(status=ScanStatus.FAILED, status_reason="UnsupportedImageError")

    decision = decide(scan, default_policy())

    assert (decision.verdict, decision.outcome) == (Verdict.UNKNOWN, Verdict.WARN)
    assert fired(decision) == {"no-usable-scan": []}
