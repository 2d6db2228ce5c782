"""Decisions to notify about: corpus reports evaluated by the real policy, and synthetic ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ecr_guard.findings.load import read_report
from ecr_guard.findings.model import (
    Finding,
    FindingKind,
    FixAvailability,
    ReportSource,
    ScanReport,
    ScanStatus,
    Severity,
)
from ecr_guard.guard.config import QuarantineMethod
from ecr_guard.guard.messages import SnsMessage
from ecr_guard.guard.outcome import ActionKind, ActionReport
from ecr_guard.images import ImageRef
from ecr_guard.policy.decision import Decision
from ecr_guard.policy.evaluate import evaluate
from ecr_guard.policy.load import default_policy, parse_policy
from ecr_guard.policy.model import Policy

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
DIGEST = "sha256:" + "abcdef0123456789" * 4
CHILD_DIGEST = "sha256:" + "0123456789abcdef" * 4
FLASK_REPORT = "trivy/real-flask-api-202-vulns-trivy-0.70.json"
CLEAN_REPORT = "trivy/real-clean-image-trivy-0.69.3.json"
QUARANTINE_TAG = "quarantine-sha256-" + DIGEST.removeprefix("sha256:")


def subject_image(*tags: str, repository: str = "team/app") -> ImageRef:
    return ImageRef(
        repository=repository,
        digest=DIGEST,
        tags=tags,
        account="123456789012",
        region="eu-west-1",
    )


def corpus_decision(
    corpus: Path, name: str, image: ImageRef, policy: Policy | None = None
) -> Decision:
    report = read_report(corpus / name)
    return evaluate(report, policy or default_policy(), now=NOW, image=image)


def quarantined(*removed: str) -> ActionReport:
    return ActionReport(
        kind=ActionKind.QUARANTINE,
        performed=True,
        method=QuarantineMethod.RETAG,
        quarantine_tag=QUARANTINE_TAG,
        tags_removed=removed,
    )


def would_quarantine(*removed: str) -> ActionReport:
    return ActionReport(
        kind=ActionKind.QUARANTINE,
        method=QuarantineMethod.RETAG,
        quarantine_tag=QUARANTINE_TAG,
        tags_removed=removed,
    )


def synthetic_findings(count: int) -> list[Finding]:
    """`count` vulnerabilities, one id each: 15% CRITICAL, 35% HIGH (5 in 7 fixable), rest lower."""
    findings = []
    for number in range(count):
        share = number % 20
        if share < 3:
            severity = Severity.CRITICAL
        elif share < 10:
            severity = Severity.HIGH
        elif share < 16:
            severity = Severity.MEDIUM
        else:
            severity = Severity.LOW
        fixed = (f"2.{number}.1",) if share % 7 < 5 else ()
        findings.append(
            Finding(
                kind=FindingKind.VULNERABILITY,
                id=f"CVE-2026-{number:05d}",
                severity=severity,
                title=f"Synthetic vulnerability {number} in package pkg-{number % 311}",
                url=f"https://avd.aquasec.com/nvd/cve-2026-{number:05d}",
                package_name=f"pkg-{number % 311}",
                installed_version=f"1.{number % 97}.0",
                fixed_versions=fixed,
                fix=FixAvailability.YES if fixed else FixAvailability.NO,
                cvss_score=round(4.0 + (number % 60) / 10, 1),
            )
        )
    return findings


def synthetic_decision(count: int, image: ImageRef, policy: Policy | None = None) -> Decision:
    report = ScanReport(
        source=ReportSource.TRIVY,
        origin="s3://guard-reports/trivy/team/app/synthetic.json",
        format="trivy-json",
        findings=tuple(synthetic_findings(count)),
    )
    return evaluate(report, policy or default_policy(), now=NOW, image=image)


def report_decision(findings: list[Finding], image: ImageRef, policy: Policy) -> Decision:
    report = ScanReport(
        source=ReportSource.TRIVY,
        origin="s3://guard-reports/trivy/team/app/report.json",
        format="trivy-json",
        findings=tuple(findings),
    )
    return evaluate(report, policy, now=NOW, image=image)


def failed_scan_decision(image: ImageRef) -> Decision:
    report = ScanReport(
        source=ReportSource.ECR_BASIC,
        origin="ecr:DescribeImageScanFindings team/app",
        format="ecr-describe-image-scan-findings",
        status=ScanStatus.FAILED,
        status_reason="UnsupportedImageError: The operating system and/or package manager are "
        "not supported.",
    )
    return evaluate(report, default_policy(), now=NOW, image=image)


def overlapping_policy() -> Policy:
    """Two rules that both match a fixable CRITICAL finding."""
    text = """
version: 1
rules:
  - id: critical-vulnerabilities
    verdict: fail
    severity: CRITICAL
  - id: fixable-vulnerabilities
    verdict: warn
    fixable: true
"""
    return parse_policy(text, origin="overlapping.yaml")


def fail_everything_policy() -> Policy:
    return parse_policy(
        "version: 1\nrules:\n  - id: any-finding\n    verdict: fail\n", origin="any.yaml"
    )


def bodies(message: SnsMessage) -> dict[str, Any]:
    parsed = json.loads(message.message)
    assert isinstance(parsed, dict)
    return parsed


def email(message: SnsMessage) -> str:
    text = bodies(message)["email"]
    assert isinstance(text, str)
    return text
