"""Findings, reports and policies built by hand, so that every rule is tested on known content."""

from __future__ import annotations

from datetime import UTC, datetime
from textwrap import dedent

from ecr_guard.findings.model import (
    Finding,
    FindingKind,
    FixAvailability,
    ImageFacts,
    ReportSource,
    ScanReport,
    ScanStatus,
    Severity,
)
from ecr_guard.images import ImageRef
from ecr_guard.policy.decision import Decision
from ecr_guard.policy.evaluate import evaluate
from ecr_guard.policy.load import parse_policy
from ecr_guard.policy.model import Policy

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def vuln(
    cve: str,
    severity: Severity | str = Severity.HIGH,
    *,
    package: str | None = "openssl",
    installed: str = "1.1.1c",
    fixed: tuple[str, ...] = (),
    fix: FixAvailability | None = None,
    cvss: float | None = None,
    epss: float | None = None,
    exploit: bool | None = None,
    published: datetime | None = None,
    purl: str | None = None,
    path: str | None = None,
    target: str | None = None,
    active: bool = True,
    title: str | None = None,
) -> Finding:
    """A vulnerability occurrence; `fix` follows `fixed` unless given."""
    return Finding(
        kind=FindingKind.VULNERABILITY,
        id=cve,
        severity=Severity(severity),
        title=title,
        package_name=package,
        installed_version=installed if package else None,
        fixed_versions=fixed,
        fix=fix or (FixAvailability.YES if fixed else FixAvailability.NO),
        cvss_score=cvss,
        epss=epss,
        exploit_available=exploit,
        published=published,
        purl=purl,
        path=path,
        target=target,
        active=active,
    )


def secret(
    rule_id: str = "aws-access-key-id",
    severity: Severity | str = Severity.CRITICAL,
    *,
    path: str = "app/config.py",
    line: int | None = 3,
    title: str | None = "AWS Access Key ID",
) -> Finding:
    return Finding(
        kind=FindingKind.SECRET,
        id=rule_id,
        severity=Severity(severity),
        title=title,
        path=path,
        target=path,
        line=line,
    )


def misconfig(
    check_id: str = "DS002",
    severity: Severity | str = Severity.HIGH,
    *,
    target: str = "Dockerfile",
    title: str | None = "Image user should not be 'root'",
) -> Finding:
    return Finding(
        kind=FindingKind.MISCONFIGURATION,
        id=check_id,
        severity=Severity(severity),
        title=title,
        target=target,
    )


def report(
    *findings: Finding,
    status: ScanStatus = ScanStatus.COMPLETE,
    status_reason: str | None = None,
    image: ImageFacts | None = None,
    source: ReportSource = ReportSource.TRIVY,
) -> ScanReport:
    return ScanReport(
        source=source,
        origin="report.json",
        format="trivy-json-v2",
        status=status,
        status_reason=status_reason,
        image=image or ImageFacts(),
        findings=findings,
    )


def policy(text: str) -> Policy:
    """A policy from indented YAML text (dedented first)."""
    return parse_policy(dedent(text), origin="policy.yaml")


def image(repository: str = "team/app", *tags: str) -> ImageRef:
    return ImageRef(repository=repository, tags=tags, digest="sha256:" + "0" * 64)


def decide(
    scan: ScanReport,
    rules: Policy | str,
    *,
    now: datetime = NOW,
    on: ImageRef | None = None,
) -> Decision:
    """Evaluate `scan` against a policy (or its YAML text)."""
    loaded = policy(rules) if isinstance(rules, str) else rules
    return evaluate(scan, loaded, now=now, image=on)


def fired(decision: Decision) -> dict[str, list[str]]:
    """Rule id → the ids of the finding groups behind it, in decision order."""
    return {outcome.rule_id: [group.id for group in outcome.findings] for outcome in decision.rules}
