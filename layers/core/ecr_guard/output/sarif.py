"""The SARIF 2.1.0 format, shaped for GitHub code scanning.

One run holds every image checked: GitHub rejects several runs of one tool in one upload
category. A rule (reportingDescriptor) per finding id, a result per flagged occurrence (error
for a failing rule, warning for a warning rule, note with a suppression for a waived one), and a
result per fired rule that has no findings behind it (image-level rules, an unusable scan).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata
from typing import Any
from urllib.parse import quote, urlsplit

from ecr_guard.findings.model import Severity
from ecr_guard.output.markdown import escape
from ecr_guard.output.rows import FindingRow, flagged_rows, image_label, waiver_rows
from ecr_guard.output.run import CheckRun
from ecr_guard.output.text import clean
from ecr_guard.policy.decision import Decision, FindingGroup, RuleOutcome, Verdict, WaiverUse
from ecr_guard.policy.evaluate import NO_USABLE_SCAN
from ecr_guard.policy.model import RuleVerdict

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
# GitHub rejects a run with more results (or rules) than this; results are worst first.
MAX_RESULTS = 25_000
POLICY_RULE_PREFIX = "ecr-guard/"
FINGERPRINT_KEY = "ecrGuardFinding/v1"

# GitHub's security-severity bands: critical 9.0-10.0, high 7.0-8.9, medium 4.0-6.9,
# low 0.1-3.9, none 0.0. A CVSS score is used when it falls in the band of the severity
# ecr-guard decided on, so GitHub's label always matches the verdict's reasons.
SECURITY_SEVERITY_BANDS = {
    Severity.CRITICAL: (9.0, 10.0, 9.5),
    Severity.HIGH: (7.0, 8.9, 8.0),
    Severity.MEDIUM: (4.0, 6.9, 5.5),
    Severity.LOW: (0.1, 3.9, 2.0),
    Severity.UNKNOWN: (0.0, 0.0, 0.0),
}
_LEVELS = {RuleVerdict.FAIL: "error", RuleVerdict.WARN: "warning"}
_OUTCOME_LEVELS = {
    Verdict.FAIL: "error",
    Verdict.UNKNOWN: "error",
    Verdict.WARN: "warning",
    Verdict.PASS: "note",
}


def render_sarif(run: CheckRun) -> str:
    return json.dumps(build_sarif(run), indent=2, ensure_ascii=False) + "\n"


def build_sarif(run: CheckRun) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for decision in run.decisions:
        results.extend(_decision_results(decision, rules))
    notifications = [_notification(str(error)) for error in run.errors]
    if len(results) > MAX_RESULTS:
        notifications.append(
            _notification(f"{len(results)} results; only the worst {MAX_RESULTS} are included.")
        )
        results = results[:MAX_RESULTS]
    used = {result["ruleId"] for result in results}
    descriptors = [descriptor for rule_id, descriptor in rules.items() if rule_id in used]
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    sarif_run: dict[str, Any] = {
        "tool": {"driver": _driver(run.tool_version, descriptors)},
        "invocations": [
            {
                "executionSuccessful": not run.errors,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
        "columnKind": "utf16CodeUnits",
        "properties": {"decisions": [_decision_summary(decision) for decision in run.decisions]},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [sarif_run]}


def security_severity(severity: Severity, cvss_score: float | None) -> str:
    """GitHub's `security-severity`: the CVSS score when it agrees with the severity."""
    low, high, default = SECURITY_SEVERITY_BANDS[severity]
    score = cvss_score if cvss_score is not None and low <= cvss_score <= high else default
    return f"{score:.1f}"


def _decision_results(decision: Decision, rules: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for row in flagged_rows(decision):
        rules.setdefault(row.group.id, _finding_rule(row.group))
        results.append(_finding_result(decision, row, _LEVELS[row.verdict]))
    for use, row in waiver_rows(decision.waivers_applied):
        rules.setdefault(row.group.id, _finding_rule(row.group))
        result = _finding_result(decision, row, "note")
        result["suppressions"] = [_suppression(use)]
        results.append(result)
    for outcome in decision.rules:
        if not outcome.findings:
            rule_id = POLICY_RULE_PREFIX + outcome.rule_id
            # The description is the rule's own; the message speaks of one image only.
            description = outcome.description or f"ecr-guard policy rule {outcome.rule_id}."
            rules.setdefault(rule_id, _policy_rule(rule_id, description))
            results.append(_policy_result(decision, rule_id, _LEVELS[outcome.verdict], outcome))
    if decision.verdict is Verdict.UNKNOWN and not decision.rules:
        rule_id = POLICY_RULE_PREFIX + NO_USABLE_SCAN
        rules.setdefault(rule_id, _policy_rule(rule_id, "The image has no usable scan."))
        results.append(_policy_result(decision, rule_id, _OUTCOME_LEVELS[decision.outcome], None))
    return results


def _driver(version: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    driver: dict[str, Any] = {
        "name": "ecr-guard",
        "fullName": "ecr-guard image policy",
        "version": version,
        "semanticVersion": version,
        "rules": rules,
    }
    homepage = _information_uri()
    if homepage:
        driver["informationUri"] = homepage
    return driver


def _finding_rule(group: FindingGroup) -> dict[str, Any]:
    title = clean(group.title) or group.id
    lines = [
        f"{group.kind.value.capitalize()} {group.id}: {title}",
        f"Severity: {group.severity.value}",
    ]
    if group.cvss_score is not None:
        lines.append(f"CVSS score: {group.cvss_score}")
    markdown = [f"**{escape(group.id)}**: {escape(title)}", "", *lines[1:]]
    descriptor: dict[str, Any] = {
        "id": group.id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": title},
        "defaultConfiguration": {"level": _severity_level(group.severity)},
        "help": {"text": "\n".join(lines), "markdown": "\n".join(markdown)},
        "properties": {
            "security-severity": security_severity(group.severity, group.cvss_score),
            "tags": ["security", group.kind.value, group.severity.value],
            "precision": "very-high",
        },
    }
    if group.url and _is_web_url(group.url):
        descriptor["helpUri"] = group.url
        descriptor["help"]["text"] += f"\nMore information: {group.url}"
    return descriptor


def _policy_rule(rule_id: str, description: str) -> dict[str, Any]:
    text = clean(description) or rule_id
    return {
        "id": rule_id,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": escape(text)},
        "properties": {"tags": ["ecr-guard-policy"]},
    }


def _finding_result(decision: Decision, row: FindingRow, level: str) -> dict[str, Any]:
    found = row.occurrence
    image = image_label(decision)
    location = _finding_location(decision, row)
    fingerprint = _fingerprint(
        _scope(decision), row.group.kind.value, row.group.id, found.package_name, found.path
    )
    return {
        "ruleId": row.group.id,
        "level": level,
        "message": {"text": _finding_message(row, image)},
        "locations": [location],
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint,
            "primaryLocationLineHash": f"{fingerprint[:16]}:1",
        },
        "properties": {
            "image": image,
            "severity": row.severity.value,
            "severitySource": found.severity_source,
            "package": found.package_name,
            "installedVersion": found.installed_version,
            "fixedVersions": list(found.fixed_versions),
            "policyRules": list(row.rule_ids),
        },
    }


def _finding_message(row: FindingRow, image: str) -> str:
    found = row.occurrence
    subject = row.package or image
    if found.installed_version:
        subject += f" {clean(found.installed_version)}"
    fix = f"fixed in {row.fixed}" if found.fixed_versions else row.fixed or ""
    source = f" ({found.severity_source})" if found.severity_source else ""
    title = clean(row.title).rstrip(".")
    parts = [
        f"{row.group.id} in {clean(subject)}{f' ({fix})' if fix else ''}"
        + (f": {title}." if title else "."),
        f"Severity {row.severity.value}{source}. Image {clean(image)}.",
    ]
    if row.rule_ids:
        parts.append(f"Policy rule {', '.join(row.rule_ids)}: {row.verdict.value}.")
    return " ".join(parts)


def _finding_location(decision: Decision, row: FindingRow) -> dict[str, Any]:
    found = row.occurrence
    # Language packages, secrets and misconfigurations live in a file of the image; an OS
    # package has none, so it is located at the image's repository, as scanners usually do.
    path = found.path or _scope(decision)
    region = {"startLine": found.line if found.line and found.line > 0 else 1}
    return {
        "physicalLocation": {"artifactLocation": {"uri": _uri(path)}, "region": region},
        "message": {"text": clean(f"{image_label(decision)}: {row.package}")},
    }


def _policy_result(
    decision: Decision, rule_id: str, level: str, outcome: RuleOutcome | None
) -> dict[str, Any]:
    text = outcome.message if outcome else decision.summary
    fingerprint = _fingerprint(_scope(decision), rule_id)
    return {
        "ruleId": rule_id,
        "level": level,
        "message": {"text": clean(f"{text} Image {image_label(decision)}.")},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(_scope(decision))},
                    "region": {"startLine": 1},
                }
            }
        ],
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint,
            "primaryLocationLineHash": f"{fingerprint[:16]}:1",
        },
        "properties": {"image": image_label(decision)},
    }


def _suppression(use: WaiverUse) -> dict[str, Any]:
    waiver = use.waiver
    return {
        "kind": "external",
        "status": "accepted",
        "justification": clean(
            f"{waiver.reason} (approved by {waiver.approved_by}, "
            f"expires {waiver.expires.isoformat()})"
        ),
    }


def _decision_summary(decision: Decision) -> dict[str, Any]:
    return {
        "image": image_label(decision),
        "verdict": decision.verdict.value,
        "outcome": decision.outcome.value,
        "summary": decision.summary,
        "report": decision.report.origin,
        "ruleSet": decision.rule_set,
        "policyFingerprint": decision.policy_fingerprint,
    }


def _notification(text: str) -> dict[str, Any]:
    return {"level": "error", "message": {"text": clean(text)}}


def _scope(decision: Decision) -> str:
    """The image's repository, or the report file when the image is not known."""
    return decision.image.repository if decision.image else decision.report.origin


def _uri(path: str) -> str:
    # A relative URI reference: `:` would read as a scheme, spaces and `%` are not allowed raw.
    return quote(path.lstrip("/"), safe="/-._~@+=,") or "."


def _fingerprint(*parts: str | None) -> str:
    joined = "\x1f".join(part or "" for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _severity_level(severity: Severity) -> str:
    if severity.rank >= Severity.HIGH.rank:
        return "error"
    return "warning" if severity is Severity.MEDIUM else "note"


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@cache
def _information_uri() -> str | None:
    """The project's home page from the installed package's metadata, when it declares one."""
    try:
        urls = metadata.metadata("ecr-guard").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() in ("homepage", "repository", "source") and url.strip():
            return url.strip()
    return None
