"""Trivy JSON reports, in the three shapes Trivy has written, as one `ScanReport`.

Shapes: the SchemaVersion 2 object (Trivy 0.20 and newer), the transitional object with
`Results` but no `SchemaVersion`, and the top-level list of results written before 0.20. Any
other `SchemaVersion` is refused, because its fields may mean something else.

What becomes a finding:

- `Vulnerabilities` (classes `os-pkgs` and `lang-pkgs`): one finding per entry, so a CVE in two
  packages stays two findings. A `Status` of `not_affected` makes the finding inactive.
- `Secrets` (class `secret`): the rule id, title, file and line only. The `Match` and `Code`
  text holds the secret itself and is never read into memory, let alone kept.
- `Misconfigurations` (class `config`): failed checks only; PASS and EXCEPTION are not findings.

What is read but not evaluated, counted in `ScanReport.skipped` by class: `license` and
`license-file` results (one per license found) and `custom` results (one per resource).
A result of a class this module does not know counts once under its class name.

Nothing found comes in three forms, all zero findings: no `Results` key, a result without a
`Vulnerabilities` key, and `"Vulnerabilities": null`.

Reports can be tens of megabytes, so the bytes are validated once, straight into lean shapes
that declare only the fields used (`trivy_schema.py`); the findings are built from those.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from pydantic import ValidationError

from ecr_guard.errors import ReportError
from ecr_guard.findings.model import (
    Finding,
    FindingKind,
    FixAvailability,
    ImageFacts,
    ReportSource,
    ScanReport,
    Severity,
)
from ecr_guard.findings.parsing import (
    ReportFormat,
    cvss_version,
    gc_paused,
    report_error_from_validation,
    split_versions,
)
from ecr_guard.findings.trivy_schema import (
    REPORT_OBJECT,
    REPORT_TEXTS,
    RESULT_LIST,
    RESULT_LIST_TEXTS,
    CvssScores,
    MisconfigurationFields,
    ReportFields,
    Result,
    ResultTexts,
    Secret,
    Vulnerability,
)

_NOT_AFFECTED = "not_affected"
_FIXED = "fixed"
_KNOWN_CLASSES = frozenset(
    {"os-pkgs", "lang-pkgs", "config", "secret", "license", "license-file", "custom"}
)

_FIRST_TOKEN = re.compile(rb"\S")


def report_from_trivy_json(data: bytes, *, origin: str) -> ScanReport:
    """Parse a Trivy JSON report (any of the three shapes) into a `ScanReport`.

    Raises `ReportError` with one line naming `origin` and the field or line at fault.
    """
    first = _FIRST_TOKEN.search(data)
    token = first.group() if first else b""
    try:
        with gc_paused():
            if token == b"[":
                return _report_from_list(_validated_list(data), origin)
            if token == b"{":
                return _report_from_object(_validated_object(data), origin)
    except ValidationError as error:
        raise report_error_from_validation(origin, error) from None
    raise ReportError(origin, "not a Trivy JSON report: it is neither a JSON object nor a list")


def _validated_list(data: bytes) -> list[Result]:
    results = RESULT_LIST.validate_json(data)
    if _texts_missing(results):
        _fill_texts(results, RESULT_LIST_TEXTS.validate_json(data))
    return results


def _validated_object(data: bytes) -> ReportFields:
    report = REPORT_OBJECT.validate_json(data)
    results = report.get("Results") or []
    if _texts_missing(results):
        _fill_texts(results, REPORT_TEXTS.validate_json(data).get("Results") or [])
    return report


def _texts_missing(results: list[Result]) -> bool:
    """Whether a vulnerability lacks a `Title` or a `PrimaryURL`; very few do.

    Descriptions and reference lists are most of a report's bytes, so they are read in a
    second, narrow pass only for reports that need them.
    """
    return not all(
        vulnerability.get("Title") and vulnerability.get("PrimaryURL")
        for result in results
        for vulnerability in result.get("Vulnerabilities") or ()
    )


def _fill_texts(results: list[Result], texts: list[ResultTexts]) -> None:
    """A title from the description, a URL from the first reference, where they are missing."""
    for result, result_texts in zip(results, texts, strict=True):
        vulnerabilities = result.get("Vulnerabilities") or []
        for vulnerability, text in zip(
            vulnerabilities, result_texts.get("Vulnerabilities") or [], strict=True
        ):
            vulnerability["Title"] = vulnerability.get("Title") or text.get("Description")
            vulnerability["PrimaryURL"] = vulnerability.get("PrimaryURL") or text.get("References")


def _report_from_list(results: list[Result], origin: str) -> ScanReport:
    if not results:
        raise ReportError(origin, "an empty JSON list is not a scan report")
    return ScanReport(
        source=ReportSource.TRIVY,
        origin=origin,
        format=ReportFormat.TRIVY_JSON_LEGACY_LIST,
        findings=tuple(_findings(results)),
        skipped=_skipped(results),
    )


def _report_from_object(report: ReportFields, origin: str) -> ScanReport:
    results = report.get("Results") or []
    scanner = report.get("Trivy") or {}
    versioned = "SchemaVersion" in report
    return ScanReport(
        source=ReportSource.TRIVY,
        origin=origin,
        format=ReportFormat.TRIVY_JSON if versioned else ReportFormat.TRIVY_JSON_LEGACY_OBJECT,
        scanner_version=scanner.get("Version"),
        created_at=report.get("CreatedAt"),
        image=_image_facts(report),
        findings=tuple(_findings(results)),
        skipped=_skipped(results),
    )


def _findings(results: list[Result]) -> Iterator[Finding]:
    for result in results:
        target = result["Target"]
        package_type = result.get("Type")
        for vulnerability in result.get("Vulnerabilities") or ():
            yield _vulnerability_finding(vulnerability, target, package_type)
        for secret in result.get("Secrets") or ():
            yield _secret_finding(secret, target)
        for check in result.get("Misconfigurations") or ():
            if (check.get("Status") or "").upper() == "FAIL":
                yield _misconfiguration_finding(check, target)


def _skipped(results: list[Result]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for result in results:
        result_class = result.get("Class")
        if licenses := result.get("Licenses"):
            counts[result_class or "license"] += len(licenses)
        if resources := result.get("CustomResources"):
            counts[result_class or "custom"] += len(resources)
        if result_class and result_class not in _KNOWN_CLASSES:
            counts[result_class] += 1
    return dict(counts)


def _vulnerability_finding(
    vulnerability: Vulnerability, target: str, package_type: str | None
) -> Finding:
    raw_status = vulnerability.get("Status")
    status = raw_status.lower() if raw_status else None
    fixed_versions = split_versions(vulnerability.get("FixedVersion"))
    fixable = status == _FIXED or bool(fixed_versions)
    severity_source = vulnerability.get("SeveritySource")
    severity_source = severity_source.lower() if severity_source else None
    score, version, source, vector = _pick_cvss(vulnerability.get("CVSS"), severity_source)
    identifier = vulnerability.get("PkgIdentifier")
    return Finding.model_validate(
        {
            "kind": FindingKind.VULNERABILITY,
            "id": vulnerability["VulnerabilityID"],
            "severity": Severity.parse(vulnerability.get("Severity")),
            "severity_source": severity_source,
            "title": vulnerability.get("Title"),
            "url": vulnerability.get("PrimaryURL"),
            "active": status != _NOT_AFFECTED,
            "status": status,
            "package_name": vulnerability.get("PkgName"),
            "installed_version": vulnerability.get("InstalledVersion"),
            "fixed_versions": fixed_versions,
            "fix": FixAvailability.YES if fixable else FixAvailability.NO,
            "package_type": package_type,
            "path": vulnerability.get("PkgPath"),
            "purl": identifier.get("PURL") if identifier else None,
            "target": target,
            "cvss_score": score,
            "cvss_version": version,
            "cvss_source": source,
            "cvss_vector": vector,
            "published": vulnerability.get("PublishedDate"),
        }
    )


_NO_CVSS: tuple[None, None, None, None] = (None, None, None, None)


def _pick_cvss(
    sources: dict[str, CvssScores] | None, severity_source: str | None
) -> tuple[float, str, str, str | None] | tuple[None, None, None, None]:
    """The score of the source that graded the severity, else NVD's, else the first other.

    Within a source the newest CVSS version wins: 4.0, then 3.x, then 2.0.
    """
    if not sources:
        return _NO_CVSS
    for name in (severity_source, "nvd"):
        if name and (scores := sources.get(name)) and (picked := _newest_score(name, scores)):
            return picked
    for name in sorted(sources):
        if picked := _newest_score(name, sources[name]):
            return picked
    return _NO_CVSS


def _newest_score(source: str, scores: CvssScores) -> tuple[float, str, str, str | None] | None:
    if (score := scores.get("V40Score")) is not None:
        vector = scores.get("V40Vector")
        return score, cvss_version(vector, "4.0"), source, vector
    if (score := scores.get("V3Score")) is not None:
        vector = scores.get("V3Vector")
        return score, cvss_version(vector, "3"), source, vector
    if (score := scores.get("V2Score")) is not None:
        return score, "2.0", source, scores.get("V2Vector")
    return None


def _secret_finding(secret: Secret, target: str) -> Finding:
    return Finding(
        kind=FindingKind.SECRET,
        id=secret["RuleID"],
        severity=Severity.parse(secret.get("Severity")),
        title=secret.get("Title") or secret.get("Category"),
        path=target or None,
        target=target,
        line=secret.get("StartLine"),
    )


def _misconfiguration_finding(check: MisconfigurationFields, target: str) -> Finding:
    cause = check.get("CauseMetadata") or {}
    return Finding(
        kind=FindingKind.MISCONFIGURATION,
        id=check.get("AVDID") or check.get("ID") or "",
        severity=Severity.parse(check.get("Severity")),
        title=check.get("Title"),
        url=check.get("PrimaryURL") or check.get("References"),
        status=(check.get("Status") or "").lower(),
        path=target or None,
        target=target,
        line=cause.get("StartLine"),
    )


def _image_facts(report: ReportFields) -> ImageFacts:
    metadata = report.get("Metadata") or {}
    system = metadata.get("OS") or {}
    family = system.get("Family")
    image_config = metadata.get("ImageConfig") or {}
    repo_tags = metadata.get("RepoTags") or report.get("RepoTags") or []
    repo_digests = metadata.get("RepoDigests") or report.get("RepoDigests") or []
    repository, tags = _repository_and_tags(repo_tags)
    return ImageFacts(
        artifact_name=report.get("ArtifactName") or None,
        # Trivy writes family "none" when it found no operating system.
        os_family=family if family not in (None, "", "none") else None,
        os_version=system.get("Name") or None,
        os_end_of_life=system.get("EOSL"),
        size_bytes=metadata.get("Size"),
        architecture=image_config.get("architecture") or None,
        digest=_single_digest(repo_digests),
        repository=repository,
        tags=tags,
    )


def _single_digest(repo_digests: list[str]) -> str | None:
    """The digest of the only `name@sha256:…` entry; several entries name several registries."""
    if len(repo_digests) != 1:
        return None
    _, _, digest = repo_digests[0].partition("@")
    return digest if digest.startswith("sha256:") else None


def _repository_and_tags(repo_tags: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """The repository of the first `registry/name:tag` reference, and its tags in order."""
    repository: str | None = None
    tags: list[str] = []
    for reference in repo_tags:
        name, tag = _split_reference(reference)
        if not name:
            continue
        if repository is None:
            repository = name
        if name == repository and tag and tag not in tags:
            tags.append(tag)
    return repository, tuple(tags)


def _split_reference(reference: str) -> tuple[str, str | None]:
    """`("team/app", "1.2")` from `123.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2`."""
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    name, tag = (reference[:colon], reference[colon + 1 :]) if colon > slash else (reference, None)
    registry, _, path = name.partition("/")
    # Docker's rule: the first component is a registry host when it has a dot, a port or is
    # localhost; otherwise it is part of the repository path.
    if path and ("." in registry or ":" in registry or registry == "localhost"):
        name = path
    return name, tag or None
