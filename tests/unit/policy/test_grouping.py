"""Counting per vulnerability or per package, and rules judged on a group's aggregate facts."""

from __future__ import annotations

from datetime import timedelta

from ecr_guard.findings.model import FindingKind, FixAvailability, Severity
from ecr_guard.policy.decision import Verdict

from tests.unit.policy.builders import NOW, decide, fired, report, secret, vuln

LOG4SHELL = (
    vuln("CVE-2021-44228", "CRITICAL", package="log4j-core", fixed=("2.15.0",), cvss=10.0),
    vuln("CVE-2021-44228", "HIGH", package="log4j-api", cvss=9.0),
    vuln("CVE-2021-44228", "CRITICAL", package="log4j-jul", fixed=("2.15.0",)),
)

# Fixable and unfixable HIGH vulnerabilities with different thresholds.
THRESHOLDS = """
rules:
  - {id: fixable-high, verdict: fail, severity: HIGH, fixable: true}
  - {id: unfixable-critical, verdict: fail, severity: CRITICAL, fixable: false}
  - {id: unfixable-high, verdict: warn, severity: [HIGH], fixable: false}
"""


def test_per_vulnerability_groups_occurrences_of_one_id():
    decision = decide(report(*LOG4SHELL), "rules: [{id: all, verdict: fail}]\n")

    (group,) = decision.rules[0].findings
    assert group.id == "CVE-2021-44228"
    assert [f.package_name for f in group.occurrences] == ["log4j-core", "log4j-api", "log4j-jul"]
    assert decision.counts.total == 1


def test_group_takes_the_worst_severity_highest_score_and_a_partial_fix():
    decision = decide(report(*LOG4SHELL), "rules: [{id: all, verdict: fail}]\n")

    (group,) = decision.rules[0].findings
    assert group.severity is Severity.CRITICAL
    assert group.cvss_score == 10.0
    assert group.fix is FixAvailability.PARTIAL


def test_group_fix_is_yes_only_when_every_occurrence_has_one():
    scan = report(
        vuln("CVE-1", package="a", fixed=("2",)), vuln("CVE-1", package="b", fixed=("3",))
    )

    decision = decide(scan, "rules: [{id: all, verdict: fail}]\n")

    assert decision.rules[0].findings[0].fix is FixAvailability.YES


def test_same_id_of_another_kind_is_another_group():
    scan = report(vuln("shared-id"), secret("shared-id"))

    decision = decide(scan, "rules: [{id: all, verdict: fail}]\n")

    assert [g.kind for g in decision.rules[0].findings] == [
        FindingKind.SECRET,
        FindingKind.VULNERABILITY,
    ]


def test_per_package_counts_each_occurrence():
    decision = decide(
        report(*LOG4SHELL), "counting: per-package\nrules: [{id: all, verdict: fail}]\n"
    )

    groups = decision.rules[0].findings
    assert [(g.id, g.occurrences[0].package_name) for g in groups] == [
        ("CVE-2021-44228", "log4j-core"),
        ("CVE-2021-44228", "log4j-jul"),
        ("CVE-2021-44228", "log4j-api"),
    ]
    assert decision.counts.total == 3
    assert decision.counts.by_severity[Severity.CRITICAL] == 2


def test_partially_fixed_vulnerability_counts_as_fixable_per_vulnerability():
    decision = decide(report(*LOG4SHELL), THRESHOLDS)

    assert fired(decision) == {"fixable-high": ["CVE-2021-44228"]}


def test_per_package_judges_each_package_on_its_own_fix():
    decision = decide(report(*LOG4SHELL), "counting: per-package\n" + THRESHOLDS)

    outcomes = {
        o.rule_id: [f.occurrences[0].package_name for f in o.findings] for o in decision.rules
    }
    assert outcomes == {
        "fixable-high": ["log4j-core", "log4j-jul"],
        "unfixable-high": ["log4j-api"],
    }
    assert decision.verdict is Verdict.FAIL


def test_unfixable_high_only_warns_while_unfixable_critical_fails():
    warn = decide(report(vuln("CVE-1", "HIGH")), THRESHOLDS)
    fail = decide(report(vuln("CVE-2", "CRITICAL")), THRESHOLDS)

    assert (warn.verdict, list(fired(warn))) == (Verdict.WARN, ["unfixable-high"])
    assert (fail.verdict, list(fired(fail))) == (Verdict.FAIL, ["unfixable-critical"])


def test_group_matches_a_package_pattern_through_any_occurrence():
    decision = decide(
        report(*LOG4SHELL), 'rules: [{id: api, verdict: fail, packages: ["*-api"]}]\n'
    )

    assert len(decision.rules[0].findings[0].occurrences) == 3


def test_group_is_as_old_as_its_earliest_publication():
    scan = report(
        vuln("CVE-1", package="a", published=NOW - timedelta(days=2)),
        vuln("CVE-1", package="b", published=NOW - timedelta(days=100)),
    )

    decision = decide(scan, "rules: [{id: old, verdict: fail, min_age_days: 90}]\n")

    assert fired(decision) == {"old": ["CVE-1"]}


def test_group_has_an_exploit_when_any_occurrence_reports_one():
    scan = report(
        vuln("CVE-1", package="a", exploit=False), vuln("CVE-1", package="b", exploit=True)
    )

    with_exploit = decide(scan, "rules: [{id: x, verdict: fail, exploit_available: true}]\n")
    without = decide(scan, "rules: [{id: x, verdict: fail, exploit_available: false}]\n")

    assert (list(fired(with_exploit)), list(fired(without))) == (["x"], [])


def test_group_takes_the_highest_epss():
    scan = report(vuln("CVE-1", package="a", epss=0.01), vuln("CVE-1", package="b", epss=0.7))

    decision = decide(scan, "rules: [{id: likely, verdict: fail, min_epss: 0.5}]\n")

    assert fired(decision) == {"likely": ["CVE-1"]}


def test_counts_include_every_level_and_kind():
    scan = report(*LOG4SHELL, vuln("CVE-2", "LOW"), secret(), vuln("CVE-3", active=False))

    decision = decide(scan, "rules: []\n")

    assert decision.counts.total == 3
    assert decision.counts.by_severity == {
        Severity.CRITICAL: 2,
        Severity.HIGH: 0,
        Severity.MEDIUM: 0,
        Severity.LOW: 1,
        Severity.UNKNOWN: 0,
    }
    assert decision.counts.by_kind == {
        FindingKind.VULNERABILITY: 2,
        FindingKind.SECRET: 1,
        FindingKind.MISCONFIGURATION: 0,
    }
    assert (decision.counts.waived, decision.counts.inactive) == (0, 1)
