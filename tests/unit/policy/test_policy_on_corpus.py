"""Real published reports judged by the default policy and by others.

Expected numbers were computed from the raw JSON with jq, independently of ecr-guard: groups
are distinct VulnerabilityIDs among entries whose Status is not `not_affected`, a group's
severity is the worst of its entries, and an entry has a fix when it has a FixedVersion or
Status `fixed`. For example, the critical groups of a report:

    jq '[.Results[].Vulnerabilities // [] | .[] | select(.Status != "not_affected")]
        | group_by(.VulnerabilityID) | map(select(any(.Severity == "CRITICAL"))) | length'
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent

import pytest
from ecr_guard.findings.load import read_report
from ecr_guard.findings.model import FindingKind, ScanStatus, Severity
from ecr_guard.policy.decision import Decision, Verdict
from ecr_guard.policy.evaluate import evaluate
from ecr_guard.policy.load import default_policy, load_policy, parse_policy
from ecr_guard.policy.model import Policy

pytestmark = pytest.mark.corpus

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)

FLASK = "trivy/real-flask-api-202-vulns-trivy-0.70.json"
ECR_29 = "trivy/real-ecr-image-29-vulns.json"
FUELTIME = "trivy/real-fueltime-74-vulns-with-packages.json"
SPRING4SHELL = "trivy/golden-spring4shell-jre8.json"
MISCONFIG_AND_SECRETS = "trivy/defectdojo-misconfig-and-secrets.json"
SECRETS = "trivy/golden-secrets.json"
ALPINE_310 = "trivy/golden-alpine-310.json"
DEBIAN_STRETCH = "trivy/golden-debian-stretch.json"
ALL_STATUSES = "trivy/defectdojo-all-vuln-statuses.json"

FLASK_CRITICAL = "CVE-2025-15467"
FLASK_FIXABLE_HIGH = [
    "CVE-2023-25577",
    "CVE-2023-30861",
    "CVE-2023-43804",
    "CVE-2024-34069",
    "CVE-2025-66418",
    "CVE-2025-66471",
    "CVE-2025-69419",
    "CVE-2025-69421",
    "CVE-2026-0861",
    "CVE-2026-21441",
    "CVE-2026-23949",
    "CVE-2026-24049",
    "CVE-2026-28390",
]


def judge(corpus: Path, name: str, policy: Policy, *, now: datetime = NOW) -> Decision:
    return evaluate(read_report(corpus / name), policy, now=now)


def rules_fired(decision: Decision) -> dict[str, int]:
    return {outcome.rule_id: len(outcome.findings) for outcome in decision.rules}


def policy_text(text: str) -> Policy:
    return parse_policy(dedent(text), origin="policy.yaml")


def test_flask_report_fails_the_default_policy(corpus: Path):
    decision = judge(corpus, FLASK, default_policy())

    assert decision.verdict is Verdict.FAIL
    assert rules_fired(decision) == {
        "critical-vulnerabilities": 1,
        "fixable-high-vulnerabilities": 13,
        "unfixed-high-vulnerabilities": 2,
    }
    fixable = decision.rules[1].findings
    assert sorted(group.id for group in fixable) == FLASK_FIXABLE_HIGH
    unfixed = decision.rules[2].findings
    assert sorted((g.id, len(g.occurrences)) for g in unfixed) == [
        ("CVE-2025-69720", 4),
        ("CVE-2026-29111", 2),
    ]


def test_flask_summary_names_the_critical_vulnerability_and_its_fix(corpus: Path):
    decision = judge(corpus, FLASK, default_policy())

    assert decision.summary == (
        "FAIL: 1 vulnerability breaks rule critical-vulnerabilities (worst: CVE-2025-15467 in "
        "libssl3t64 3.5.1-1+deb13u1 and 2 more packages, fixed in 3.5.4-1~deb13u2); "
        "2 more rules fired: fixable-high-vulnerabilities, unfixed-high-vulnerabilities."
    )


def test_flask_counts_per_vulnerability(corpus: Path):
    counts = judge(corpus, FLASK, default_policy()).counts

    assert counts.total == 99
    assert counts.by_severity == {
        Severity.CRITICAL: 1,
        Severity.HIGH: 15,
        Severity.MEDIUM: 48,
        Severity.LOW: 34,
        Severity.UNKNOWN: 1,
    }
    assert counts.by_kind[FindingKind.VULNERABILITY] == 99
    assert (counts.waived, counts.inactive) == (0, 0)


def test_flask_counts_per_package(corpus: Path):
    policy = Policy.model_validate({**default_policy().model_dump(), "counting": "per-package"})

    decision = judge(corpus, FLASK, policy)

    assert decision.counts.total == 202
    assert decision.counts.by_severity == {
        Severity.CRITICAL: 3,
        Severity.HIGH: 27,
        Severity.MEDIUM: 90,
        Severity.LOW: 81,
        Severity.UNKNOWN: 1,
    }
    assert rules_fired(decision)["critical-vulnerabilities"] == 3


def test_waiver_on_the_critical_vulnerability_applies_until_it_expires(corpus: Path):
    policy = policy_text(
        f"""\
        rules: [{{id: criticals, verdict: fail, severity: CRITICAL}}]
        waivers:
          - id: {FLASK_CRITICAL}
            reason: Fixed in the next base image.
            approved_by: security@example.com
            expires: 2026-12-31
        """
    )

    before = judge(corpus, FLASK, policy, now=datetime(2026, 12, 31, 23, 0, tzinfo=UTC))
    after = judge(corpus, FLASK, policy, now=datetime(2027, 1, 1, 0, 0, tzinfo=UTC))

    assert (before.verdict, before.counts.waived) == (Verdict.PASS, 1)
    assert [len(g.occurrences) for g in before.waivers_applied[0].findings] == [3]
    assert (after.verdict, after.counts.waived) == (Verdict.FAIL, 0)
    assert [use.waiver.id for use in after.waivers_expired] == [FLASK_CRITICAL]


def test_trivyignore_waiver_narrowed_to_a_purl(corpus: Path, tmp_path: Path):
    (tmp_path / ".trivyignore.yaml").write_text(
        dedent(
            f"""\
            vulnerabilities:
              - id: {FLASK_CRITICAL}
                purls: ["pkg:deb/debian/openssl"]
                statement: openssl binary unused at run time
                expired_at: 2027-01-01
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "policy.yaml").write_text(
        "rules: [{id: criticals, verdict: fail, severity: CRITICAL}]\n"
        "waiver_files: [.trivyignore.yaml]\n",
        encoding="utf-8",
    )

    decision = judge(corpus, FLASK, load_policy(tmp_path / "policy.yaml"))

    assert decision.verdict is Verdict.FAIL
    (group,) = decision.rules[0].findings
    assert [f.package_name for f in group.occurrences] == ["libssl3t64", "openssl-provider-legacy"]
    (use,) = decision.waivers_applied
    assert [f.package_name for f in use.findings[0].occurrences] == ["openssl"]
    assert use.waiver.reason == "openssl binary unused at run time"


def test_ecr_image_report_is_scoped_by_its_repository_and_tags(corpus: Path):
    policy = policy_text(
        """\
        rules: [{id: everything, verdict: fail}]
        rule_sets:
          - name: lifelong-dev
            match: {repositories: ["cilab-*"], tags: ["dev-*"]}
            rules: [{id: highs, verdict: warn, severity: HIGH}]
        """
    )

    decision = judge(corpus, ECR_29, policy)

    assert decision.rule_set == "lifelong-dev"
    assert decision.verdict is Verdict.WARN
    assert sorted(g.id for g in decision.rules[0].findings) == ["CVE-2022-23539", "CVE-2022-25883"]
    assert decision.counts.total == 15


def test_ecr_image_report_fails_the_default_policy_on_fixable_highs(corpus: Path):
    decision = judge(corpus, ECR_29, default_policy())

    assert decision.verdict is Verdict.FAIL
    assert rules_fired(decision) == {"fixable-high-vulnerabilities": 2}


def test_spring4shell_fixture_passes_the_default_policy(corpus: Path):
    decision = judge(corpus, SPRING4SHELL, default_policy())

    assert decision.verdict is Verdict.PASS
    assert decision.summary == "PASS: the only active finding breaks no rule."


def test_leaked_secrets_fail_the_default_policy(corpus: Path):
    decision = judge(corpus, SECRETS, default_policy())

    assert decision.verdict is Verdict.FAIL
    assert [g.id for g in decision.rules[0].findings] == ["aws-access-key-id", "mysecret"]
    assert decision.summary == (
        "FAIL: 2 secrets break rule high-risk-secrets "
        "(worst: AWS Access Key ID in deploy.sh line 3)."
    )


def test_secret_in_two_files_is_one_finding(corpus: Path):
    decision = judge(corpus, MISCONFIG_AND_SECRETS, default_policy())

    assert rules_fired(decision) == {
        "fixable-high-vulnerabilities": 1,
        "high-risk-secrets": 1,
    }
    secrets = decision.rules[1].findings[0]
    assert (secrets.id, sorted(f.target or "" for f in secrets.occurrences)) == (
        "github-pat",
        ["Dockerfile", "secret.txt"],
    )
    assert decision.counts.by_kind == {
        FindingKind.VULNERABILITY: 2,
        FindingKind.SECRET: 1,
        FindingKind.MISCONFIGURATION: 1,
    }


def test_misconfiguration_rule_fires_on_the_dockerfile_check(corpus: Path):
    policy = policy_text("rules: [{id: dockerfile, verdict: warn, kind: misconfiguration}]\n")

    decision = judge(corpus, MISCONFIG_AND_SECRETS, policy)

    assert decision.verdict is Verdict.WARN
    assert [g.id for g in decision.rules[0].findings] == ["DS002"]


def test_end_of_life_alpine_fails_when_the_policy_asks(corpus: Path):
    policy = policy_text("image: {end_of_life_os: fail}\n")

    decision = judge(corpus, ALPINE_310, policy)

    assert decision.verdict is Verdict.FAIL
    assert rules_fired(decision) == {"end-of-life-os": 0}
    assert decision.rules[0].message.startswith("The base OS (alpine 3.10.2) is past its end")


def test_report_without_end_of_life_data_does_not_fire(corpus: Path):
    # Trivy flags EOSL only when its database knows the release ended; this report has no flag.
    policy = policy_text("image: {end_of_life_os: fail}\n")

    assert judge(corpus, DEBIAN_STRETCH, policy).verdict is Verdict.PASS


def test_large_image_breaks_the_size_limit(corpus: Path):
    policy = policy_text("image: {max_size: {max: 1GiB, verdict: fail}}\n")

    decision = judge(corpus, FUELTIME, policy)

    assert rules_fired(decision) == {"image-size": 0}
    assert decision.rules[0].message == "The image is 1.3GiB, over the policy's limit of 1.0GiB."


def test_not_affected_findings_are_inactive(corpus: Path):
    decision = judge(corpus, ALL_STATUSES, policy_text("rules: [{id: any, verdict: warn}]\n"))

    assert (decision.counts.total, decision.counts.inactive) == (7, 1)
    assert len(decision.rules[0].findings) == 7


@pytest.fixture
def failed_ecr_scan(tmp_path: Path) -> Path:
    """`aws ecr describe-image-scan-findings` for a distroless image basic scanning rejects."""
    path = tmp_path / "scan-findings.json"
    path.write_text(
        json.dumps(
            {
                "registryId": "123456789012",
                "repositoryName": "team/distroless-app",
                "imageId": {"imageDigest": "sha256:" + "a" * 64, "imageTag": "v1"},
                "imageScanStatus": {
                    "status": "FAILED",
                    "description": "UnsupportedImageError: The operating system and/or package "
                    "manager are not supported.",
                },
            }
        ),
        encoding="utf-8",
    )
    return path


def test_failed_ecr_scan_is_unknown_and_warns_by_default(failed_ecr_scan: Path):
    report = read_report(failed_ecr_scan)

    decision = evaluate(report, default_policy(), now=NOW)

    assert report.status is ScanStatus.FAILED
    assert (decision.verdict, decision.outcome) == (Verdict.UNKNOWN, Verdict.WARN)
    assert rules_fired(decision) == {"no-usable-scan": 0}


def test_failed_ecr_scan_fails_where_the_rule_set_says_so(failed_ecr_scan: Path):
    policy = policy_text(
        """\
        rule_sets:
          - name: team
            match: {repositories: ["team/*"]}
            image: {unknown: fail}
        """
    )

    decision = evaluate(read_report(failed_ecr_scan), policy, now=NOW)

    assert decision.rule_set == "team"
    assert (decision.verdict, decision.outcome) == (Verdict.UNKNOWN, Verdict.FAIL)
