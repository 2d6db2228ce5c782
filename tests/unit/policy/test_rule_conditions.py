"""Each rule condition on its own: which findings it matches and which it does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from ecr_guard.findings.model import Finding, FixAvailability
from ecr_guard.policy.decision import Verdict

from tests.unit.policy.builders import NOW, decide, fired, misconfig, report, secret, vuln


def matched(rule_yaml: str, *findings: Finding) -> list[str]:
    """The ids the single rule `rule_yaml` (a flow mapping without id/verdict) matches."""
    decision = decide(report(*findings), f"rules:\n  - {{id: probe, verdict: warn, {rule_yaml}}}\n")
    return fired(decision).get("probe", [])


def test_rule_without_conditions_matches_every_active_finding():
    findings = (vuln("CVE-1", "LOW"), secret(), misconfig(), vuln("CVE-2", active=False))

    assert sorted(matched("description: anything", *findings)) == [
        "CVE-1",
        "DS002",
        "aws-access-key-id",
    ]


def test_kind_matches_one_kind():
    assert matched("kind: secret", vuln("CVE-1"), secret(), misconfig()) == ["aws-access-key-id"]


def test_kind_list_matches_any_listed_kind():
    found = matched("kind: [secret, misconfiguration]", vuln("CVE-1"), secret(), misconfig())

    assert sorted(found) == ["DS002", "aws-access-key-id"]


def test_single_severity_means_that_level_or_worse():
    findings = [vuln(f"CVE-{level}", level) for level in ("CRITICAL", "HIGH", "MEDIUM", "LOW")]

    assert matched("severity: HIGH", *findings) == ["CVE-CRITICAL", "CVE-HIGH"]


def test_severity_unknown_means_any_level():
    findings = [vuln(f"CVE-{level}", level) for level in ("LOW", "UNKNOWN")]

    assert matched("severity: UNKNOWN", *findings) == ["CVE-LOW", "CVE-UNKNOWN"]


def test_severity_list_means_exactly_those_levels():
    findings = [vuln(f"CVE-{level}", level) for level in ("CRITICAL", "HIGH", "MEDIUM", "UNKNOWN")]

    assert matched("severity: [HIGH, UNKNOWN]", *findings) == ["CVE-HIGH", "CVE-UNKNOWN"]


def test_min_cvss_needs_a_score_at_least_that_high():
    findings = (
        vuln("CVE-A", cvss=9.8),
        vuln("CVE-B", cvss=7.0),
        vuln("CVE-C", cvss=6.9),
        vuln("CVE-D"),
    )

    assert matched("min_cvss: 7", *findings) == ["CVE-A", "CVE-B"]


def test_fixable_true_matches_yes_and_partial():
    findings = (
        vuln("CVE-YES", fix=FixAvailability.YES),
        vuln("CVE-PARTIAL", fix=FixAvailability.PARTIAL),
        vuln("CVE-NO", fix=FixAvailability.NO),
    )

    assert matched("fixable: true", *findings) == ["CVE-PARTIAL", "CVE-YES"]


def test_fixable_false_matches_no_fix_only():
    findings = (
        vuln("CVE-YES", fix=FixAvailability.YES),
        vuln("CVE-PARTIAL", fix=FixAvailability.PARTIAL),
        vuln("CVE-NO", fix=FixAvailability.NO),
    )

    assert matched("fixable: false", *findings) == ["CVE-NO"]


def test_fixable_false_never_matches_secrets_or_misconfigurations():
    assert matched("fixable: false", secret(), misconfig()) == []


def test_ids_match_case_insensitively():
    findings = (vuln("CVE-2021-44228"), vuln("GHSA-jfh8-c2jp-5v3q"), vuln("CVE-2021-45046"))

    assert matched("ids: [cve-2021-44228, GHSA-JFH8-C2JP-5V3Q]", *findings) == [
        "CVE-2021-44228",
        "GHSA-jfh8-c2jp-5v3q",
    ]


def test_package_patterns_match_package_names():
    findings = (
        vuln("CVE-1", package="log4j-core"),
        vuln("CVE-2", package="log4j-api"),
        vuln("CVE-3", package="openssl"),
        vuln("CVE-4", package=None),
    )

    assert matched('packages: ["log4j-*"]', *findings) == ["CVE-1", "CVE-2"]


def test_package_patterns_are_case_sensitive():
    assert matched("packages: [OpenSSL]", vuln("CVE-1", package="openssl")) == []


def test_min_age_days_counts_from_publication():
    findings = (
        vuln("CVE-OLD", published=NOW - timedelta(days=31)),
        vuln("CVE-EXACT", published=NOW - timedelta(days=30)),
        vuln("CVE-NEW", published=NOW - timedelta(days=29)),
        vuln("CVE-UNDATED"),
    )

    assert matched("min_age_days: 30", *findings) == ["CVE-EXACT", "CVE-OLD"]


def test_min_age_days_treats_a_naive_publication_time_as_utc():
    naive = (NOW - timedelta(days=30)).astimezone(UTC).replace(tzinfo=None)

    assert matched("min_age_days: 30", vuln("CVE-1", published=naive)) == ["CVE-1"]


@pytest.mark.parametrize(("wanted", "expected"), [("true", ["CVE-YES"]), ("false", ["CVE-NO"])])
def test_exploit_available_matches_only_what_the_source_says(wanted: str, expected: list[str]):
    findings = (vuln("CVE-YES", exploit=True), vuln("CVE-NO", exploit=False), vuln("CVE-UNSAID"))

    assert matched(f"exploit_available: {wanted}", *findings) == expected


def test_min_epss_needs_a_known_probability():
    findings = (
        vuln("CVE-A", epss=0.9),
        vuln("CVE-B", epss=0.5),
        vuln("CVE-C", epss=0.1),
        vuln("CVE-D"),
    )

    assert matched("min_epss: 0.5", *findings) == ["CVE-A", "CVE-B"]


def test_all_conditions_must_hold():
    findings = (
        vuln("CVE-BOTH", "CRITICAL", fixed=("2",)),
        vuln("CVE-UNFIXED", "CRITICAL"),
        vuln("CVE-LOW", "LOW", fixed=("2",)),
    )

    assert matched("severity: CRITICAL, fixable: true", *findings) == ["CVE-BOTH"]


def test_inactive_findings_are_never_judged():
    decision = decide(
        report(vuln("CVE-1", "CRITICAL", active=False)), "rules: [{id: all, verdict: fail}]\n"
    )

    assert decision.verdict is Verdict.PASS
    assert decision.counts.inactive == 1
    assert decision.counts.total == 0


def test_a_finding_can_fire_several_rules():
    decision = decide(
        report(vuln("CVE-1", "CRITICAL", cvss=9.8)),
        "rules:\n  - {id: by-severity, verdict: fail, severity: CRITICAL}\n"
        "  - {id: by-score, verdict: warn, min_cvss: 9}\n",
    )

    assert fired(decision) == {"by-severity": ["CVE-1"], "by-score": ["CVE-1"]}


def test_rules_report_in_policy_order():
    decision = decide(
        report(vuln("CVE-1", "LOW"), secret()),
        "rules:\n  - {id: zeta, verdict: warn, kind: vulnerability}\n"
        "  - {id: alpha, verdict: warn, kind: secret}\n",
    )

    assert [outcome.rule_id for outcome in decision.rules] == ["zeta", "alpha"]


def test_findings_in_a_rule_are_worst_first():
    findings = (
        vuln("CVE-B", "HIGH", cvss=7.5),
        vuln("CVE-A", "HIGH", cvss=7.5),
        vuln("CVE-C", "CRITICAL"),
        vuln("CVE-D", "HIGH", cvss=8.8),
        vuln("CVE-E", "HIGH"),
    )

    assert matched("severity: HIGH", *findings) == ["CVE-C", "CVE-D", "CVE-A", "CVE-B", "CVE-E"]


def test_decision_records_the_evaluation_time_given():
    moment = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)

    decision = decide(report(vuln("CVE-1")), "rules: [{id: all, verdict: warn}]\n", now=moment)

    assert decision.evaluated_at == moment
