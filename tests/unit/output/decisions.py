"""Decisions built by hand, so that every renderer is tested on exactly known content."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ecr_guard.findings.model import (
    Finding,
    FindingKind,
    FixAvailability,
    ReportSource,
    ScanStatus,
    Severity,
)
from ecr_guard.images import ImageRef
from ecr_guard.policy.decision import (
    Counts,
    Decision,
    FindingGroup,
    ReportSummary,
    RuleOutcome,
    Verdict,
    WaiverUse,
)
from ecr_guard.policy.model import RuleVerdict, Waiver

EVALUATED_AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
FINGERPRINT = "sha256:" + "ab" * 32


def vulnerability(
    cve: str,
    severity: Severity,
    *,
    package: str = "openssl",
    installed: str = "1.1.1c-r0",
    fixed: tuple[str, ...] = ("1.1.1d-r0",),
    title: str | None = "openssl: a flaw",
    cvss: float | None = None,
    path: str | None = None,
) -> FindingGroup:
    occurrence = Finding(
        kind=FindingKind.VULNERABILITY,
        id=cve,
        severity=severity,
        severity_source="nvd",
        title=title,
        url=f"https://avd.aquasec.com/nvd/{cve.lower()}",
        package_name=package,
        installed_version=installed,
        fixed_versions=fixed,
        fix=FixAvailability.YES if fixed else FixAvailability.NO,
        package_type="apk",
        path=path,
        target="team/app:1.2.3 (alpine 3.10.2)",
        cvss_score=cvss,
    )
    return FindingGroup(
        kind=FindingKind.VULNERABILITY,
        id=cve,
        severity=severity,
        fix=occurrence.fix,
        title=title,
        url=occurrence.url,
        cvss_score=cvss,
        occurrences=(occurrence,),
    )


def secret(rule_id: str, severity: Severity, *, path: str, line: int) -> FindingGroup:
    occurrence = Finding(
        kind=FindingKind.SECRET,
        id=rule_id,
        severity=severity,
        title="AWS Access Key ID",
        path=path,
        target=path,
        line=line,
    )
    return FindingGroup(
        kind=FindingKind.SECRET,
        id=rule_id,
        severity=severity,
        fix=FixAvailability.NO,
        title=occurrence.title,
        occurrences=(occurrence,),
    )


def waiver(cve: str, *, expires: date, package: str | None = "openssl") -> Waiver:
    return Waiver(
        id=cve,
        package=package,
        reason="Not reachable: the service never parses untrusted certificates",
        approved_by="security@example.com",
        expires=expires,
    )


def decision(
    *,
    verdict: Verdict,
    outcome: Verdict | None = None,
    rules: tuple[RuleOutcome, ...] = (),
    image: ImageRef | None = None,
    applied: tuple[WaiverUse, ...] = (),
    expired: tuple[WaiverUse, ...] = (),
    status: ScanStatus = ScanStatus.COMPLETE,
    summary: str = "team/app:1.2.3 fails the policy: 1 rule failed.",
    origin: str = "reports/trivy.json",
) -> Decision:
    groups = [group for rule in rules for group in rule.findings]
    by_severity = dict.fromkeys(Severity, 0)
    by_kind = dict.fromkeys(FindingKind, 0)
    for group in groups:
        by_severity[group.severity] += 1
        by_kind[group.kind] += 1
    return Decision(
        verdict=verdict,
        outcome=outcome or verdict,
        summary=summary,
        image=image,
        rule_set="default",
        rules=rules,
        waivers_applied=applied,
        waivers_expired=expired,
        counts=Counts(
            total=len(groups),
            by_severity=by_severity,
            by_kind=by_kind,
            waived=sum(len(use.findings) for use in applied),
        ),
        policy_fingerprint=FINGERPRINT,
        evaluated_at=EVALUATED_AT,
        report=ReportSummary(
            source=ReportSource.TRIVY, origin=origin, format="trivy-json", status=status
        ),
    )


def failing_decision() -> Decision:
    """team/app:1.2.3 failing on two CRITICAL CVEs, warning on one HIGH without a fix."""
    critical = (
        vulnerability("CVE-2024-0001", Severity.CRITICAL, cvss=9.8),
        vulnerability("CVE-2024-0002", Severity.CRITICAL, package="zlib", installed="1.2.11"),
    )
    unfixed = vulnerability("CVE-2024-0003", Severity.HIGH, fixed=(), cvss=7.5, title="no fix")
    return decision(
        verdict=Verdict.FAIL,
        image=ImageRef(repository="team/app", tags=("1.2.3",)),
        rules=(
            RuleOutcome(
                rule_id="critical-vulnerabilities",
                verdict=RuleVerdict.FAIL,
                message="2 CRITICAL vulnerabilities: CVE-2024-0001, CVE-2024-0002.",
                findings=critical,
            ),
            RuleOutcome(
                rule_id="unfixed-high-vulnerabilities",
                verdict=RuleVerdict.WARN,
                message="1 HIGH vulnerability without a fix: CVE-2024-0003.",
                findings=(unfixed,),
            ),
        ),
    )


def passing_decision() -> Decision:
    return decision(
        verdict=Verdict.PASS,
        image=ImageRef(repository="team/app", digest="sha256:" + "cd" * 32),
        summary="team/app passes the policy: no rule fired.",
    )
