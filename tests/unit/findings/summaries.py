"""Small views of a parsed report that tests compare with numbers read from the raw files."""

from __future__ import annotations

from collections import Counter

from ecr_guard.findings.model import Finding, FixAvailability, ScanReport


def kind_counts(report: ScanReport) -> dict[str, int]:
    return dict(Counter(finding.kind.value for finding in report.findings))


def severity_counts(report: ScanReport) -> dict[str, int]:
    return dict(Counter(finding.severity.value for finding in report.findings))


def inactive_count(report: ScanReport) -> int:
    return sum(1 for finding in report.findings if not finding.active)


def fixable_count(report: ScanReport) -> int:
    return sum(1 for finding in report.findings if finding.fix is FixAvailability.YES)


def only(report: ScanReport, finding_id: str, **fields: object) -> Finding:
    """The one finding with this id whose fields equal `fields`; fails on none or several."""
    matches = [
        finding
        for finding in report.findings
        if finding.id == finding_id
        and all(getattr(finding, name) == value for name, value in fields.items())
    ]
    assert len(matches) == 1, f"{len(matches)} findings {finding_id} {fields}"
    return matches[0]
