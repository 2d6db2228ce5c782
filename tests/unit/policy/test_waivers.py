from __future__ import annotations

from datetime import UTC, datetime

import pytest
from ecr_guard.findings.model import ImageFacts
from ecr_guard.policy.decision import Verdict

from tests.unit.policy.builders import decide, fired, image, report, secret, vuln

RULES = "rules: [{id: criticals, verdict: fail, severity: CRITICAL}]\n"

LOG4SHELL = (
    vuln(
        "CVE-2021-44228",
        "CRITICAL",
        package="log4j-core",
        purl="pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        path="app/lib/log4j-core-2.14.1.jar",
    ),
    vuln(
        "CVE-2021-44228",
        "CRITICAL",
        package="log4j-api",
        purl="pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1",
        path="app/lib/log4j-api-2.14.1.jar",
    ),
)


def waiver(narrowing: str = "", *, expires: str = "2027-01-31", waived_id: str = "CVE-2021-44228"):
    extra = f", {narrowing}" if narrowing else ""
    return (
        f"  - {{id: {waived_id}, reason: Not reachable., approved_by: sec@example.com, "
        f"expires: {expires}{extra}}}\n"
    )


def with_waivers(*waivers: str) -> str:
    return RULES + "waivers:\n" + "".join(waivers)


def test_waiver_on_an_id_waives_every_occurrence():
    decision = decide(report(*LOG4SHELL), with_waivers(waiver(waived_id="cve-2021-44228")))

    assert decision.verdict is Verdict.PASS
    assert decision.counts.waived == 1
    assert decision.counts.total == 1
    (use,) = decision.waivers_applied
    assert use.waiver.approved_by == "sec@example.com"
    assert [len(group.occurrences) for group in use.findings] == [2]
    assert decision.summary == "PASS: the only active finding breaks no rule (1 waived)."


def test_waiver_narrowed_to_a_package_leaves_the_other_packages():
    decision = decide(report(*LOG4SHELL), with_waivers(waiver("package: log4j-core")))

    assert decision.verdict is Verdict.FAIL
    (group,) = decision.rules[0].findings
    assert [f.package_name for f in group.occurrences] == ["log4j-api"]
    assert decision.counts.waived == 0
    assert [f.package_name for f in decision.waivers_applied[0].findings[0].occurrences] == [
        "log4j-core"
    ]


def test_waivers_covering_every_package_waive_the_group():
    decision = decide(
        report(*LOG4SHELL),
        with_waivers(waiver("package: log4j-core"), waiver('package: "log4j-a*"')),
    )

    assert decision.verdict is Verdict.PASS
    assert decision.counts.waived == 1
    assert len(decision.waivers_applied) == 2


def test_waiver_narrowed_by_purl_without_version_covers_every_version():
    decision = decide(
        report(*LOG4SHELL),
        with_waivers(waiver('purl: "pkg:maven/org.apache.logging.log4j/log4j-api"')),
    )

    (group,) = decision.rules[0].findings
    assert [f.package_name for f in group.occurrences] == ["log4j-core"]


def test_waiver_purl_with_another_version_does_not_apply():
    decision = decide(
        report(*LOG4SHELL),
        with_waivers(waiver('purl: "pkg:maven/org.apache.logging.log4j/log4j-api@2.17.0"')),
    )

    assert decision.waivers_applied == ()
    assert len(decision.rules[0].findings[0].occurrences) == 2


def test_waiver_purl_qualifiers_must_be_present():
    scan = report(vuln("CVE-1", "CRITICAL", purl="pkg:deb/debian/libssl3@3.0.11?arch=amd64"))

    arm = decide(
        scan, with_waivers(waiver('purl: "pkg:deb/debian/libssl3?arch=arm64"', waived_id="CVE-1"))
    )
    amd = decide(
        scan, with_waivers(waiver('purl: "pkg:deb/debian/libssl3?arch=amd64"', waived_id="CVE-1"))
    )

    assert (arm.verdict, amd.verdict) == (Verdict.FAIL, Verdict.PASS)


def test_waiver_narrowed_by_path_glob():
    decision = decide(report(*LOG4SHELL), with_waivers(waiver('path: "**/log4j-api-*.jar"')))

    (group,) = decision.rules[0].findings
    assert [f.package_name for f in group.occurrences] == ["log4j-core"]


def test_path_star_does_not_cross_folders():
    decision = decide(report(*LOG4SHELL), with_waivers(waiver('path: "app/*.jar"')))

    assert decision.waivers_applied == ()


def test_path_waiver_matches_the_target_of_a_secret():
    decision = decide(
        report(secret(path="tests/fixtures/key.pem")),
        "rules: [{id: s, verdict: fail, kind: secret}]\nwaivers:\n"
        + waiver('path: "tests/**"', waived_id="aws-access-key-id"),
    )

    assert decision.verdict is Verdict.PASS


def test_waiver_without_the_finding_package_does_not_apply():
    scan = report(vuln("CVE-1", "CRITICAL", package=None))

    decision = decide(scan, with_waivers(waiver("package: openssl", waived_id="CVE-1")))

    assert decision.verdict is Verdict.FAIL


@pytest.mark.parametrize(
    ("scope", "on", "applies"),
    [
        ("repositories: [team/app]", image("team/app", "v1"), True),
        ("repositories: [team/other]", image("team/app", "v1"), False),
        ('repositories: ["team/*"]', image("team/app/worker", "v1"), True),
        ('tags: ["release-*"]', image("team/app", "dev", "release-2"), True),
        ('tags: ["release-*"]', image("team/app", "dev"), False),
        ('tags: ["release-*"]', image("team/app"), False),
        ("tags: ['*']", image("team/app"), True),
    ],
)
def test_waiver_scoped_by_repository_and_tag(scope: str, on, applies: bool):
    decision = decide(report(*LOG4SHELL), with_waivers(waiver(scope)), on=on)

    assert (decision.verdict is Verdict.PASS) is applies


def test_waiver_scope_uses_the_report_image_without_an_explicit_one():
    scan = report(*LOG4SHELL, image=ImageFacts(repository="team/app", tags=("v1",)))

    decision = decide(scan, with_waivers(waiver("repositories: [team/app], tags: [v1]")))

    assert decision.verdict is Verdict.PASS
    assert decision.image is not None
    assert decision.image.display() == "team/app:v1"


def test_waiver_applies_on_its_last_day():
    last_moment = datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)

    decision = decide(report(*LOG4SHELL), with_waivers(waiver()), now=last_moment)

    assert decision.verdict is Verdict.PASS
    assert decision.waivers_expired == ()


def test_waiver_expires_the_day_after():
    next_day = datetime(2027, 2, 1, 0, 0, tzinfo=UTC)

    decision = decide(report(*LOG4SHELL), with_waivers(waiver()), now=next_day)

    assert decision.verdict is Verdict.FAIL
    assert decision.waivers_applied == ()
    (use,) = decision.waivers_expired
    assert use.waiver.id == "CVE-2021-44228"
    assert [group.id for group in use.findings] == ["CVE-2021-44228"]
    assert decision.summary.endswith("; 1 expired waiver no longer applies.")


def test_expiry_is_judged_on_the_utc_day():
    # 1 February 01:00 in UTC+2 is still 31 January in UTC.
    local = datetime.fromisoformat("2027-02-01T01:00:00+02:00")

    decision = decide(report(*LOG4SHELL), with_waivers(waiver()), now=local)

    assert decision.verdict is Verdict.PASS


def test_expired_waiver_for_absent_findings_is_not_reported():
    decision = decide(
        report(vuln("CVE-OTHER", "CRITICAL")), with_waivers(waiver(expires="2020-01-01"))
    )

    assert decision.waivers_expired == ()


def test_expired_waiver_is_reported_beside_a_current_one():
    decision = decide(report(*LOG4SHELL), with_waivers(waiver(expires="2020-01-01"), waiver()))

    assert decision.verdict is Verdict.PASS
    assert [use.waiver.expires.year for use in decision.waivers_expired] == [2020]
    assert [use.waiver.expires.year for use in decision.waivers_applied] == [2027]


def test_waived_finding_fires_no_rule_but_is_still_counted():
    decision = decide(
        report(*LOG4SHELL, vuln("CVE-2", "LOW")),
        "rules: [{id: any, verdict: warn}]\nwaivers:\n" + waiver(),
    )

    assert fired(decision) == {"any": ["CVE-2"]}
    assert (decision.counts.total, decision.counts.waived) == (2, 1)


def test_per_package_counts_each_waived_occurrence():
    decision = decide(report(*LOG4SHELL), "counting: per-package\n" + with_waivers(waiver()))

    assert decision.counts.waived == 2
    assert [len(use.findings) for use in decision.waivers_applied] == [2]
