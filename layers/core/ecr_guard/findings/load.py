"""Recognise a scan report from its content and parse it with the right reader.

Supported: Trivy JSON (three shapes), `aws ecr describe-image-scan-findings` output, `aws
inspector2 list-findings` output, one Inspector finding, and an "Inspector2 Finding" EventBridge
event. Other formats scanners write (SARIF, CycloneDX, SPDX, ASFF, Security Hub findings, Trivy's
table text) are named in the error, with the command that produces a supported report.

The kind is told from the top-level keys of the first `SNIFF_BYTES` only, parsed leniently, so
that a large Trivy report is parsed once, straight into the findings model.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic_core import from_json

from ecr_guard.errors import ReportError, UnsupportedFormatError
from ecr_guard.findings.ecr import report_from_scan_findings_pages
from ecr_guard.findings.inspector import (
    report_from_inspector_finding,
    report_from_inspector_findings,
)
from ecr_guard.findings.model import ScanReport
from ecr_guard.findings.parsing import ReportFormat, json_syntax_error
from ecr_guard.findings.trivy import report_from_trivy_json

MAX_REPORT_BYTES = 256 * 1024 * 1024
"""Largest report `read_report` accepts by default: far above a real Trivy report with
`--list-all-pkgs` (tens of MB), low enough to refuse a wrong file before reading it."""

SNIFF_BYTES = 64 * 1024
"""How much of a report is looked at to tell its kind."""

TRIVY_JSON_HINT = "run trivy with --format json"
INSPECTOR_EVENT_TYPE = "Inspector2 Finding"

_MIB = 1024 * 1024
_FIRST_TOKEN = re.compile(rb"\S")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_TRIVY_TABLE = re.compile(r"Total: \d+ \(|[┌│└╭╰═]|^\+-{3,}|^\| *(?:LIBRARY|Library) ", re.M)
_ASFF_SCHEMA_VERSION = "2018-10-08"


class _Kind(StrEnum):
    TRIVY = "trivy"
    ECR_SCAN_FINDINGS = "ecr-scan-findings"
    INSPECTOR_LIST = "inspector-list"
    INSPECTOR_FINDING = "inspector-finding"
    INSPECTOR_EVENT = "inspector-event"


def read_report(path: Path, *, max_bytes: int = MAX_REPORT_BYTES) -> ScanReport:
    """Read and parse the report at `path`; refuse it unread when it is over `max_bytes`."""
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(origin, size, max_bytes)
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise ReportError(origin, "no such file") from None
    except IsADirectoryError:
        raise ReportError(origin, "this is a directory, not a report file") from None
    except PermissionError:
        raise ReportError(origin, "permission denied") from None
    except OSError as error:
        raise ReportError(origin, f"cannot read the file: {error.strerror}") from None
    if len(data) > max_bytes:  # the file grew after stat
        raise _too_large(origin, len(data), max_bytes)
    return parse_report(data, origin=origin)


def _too_large(origin: str, size: int, max_bytes: int) -> ReportError:
    return ReportError(
        origin,
        f"the file is {size / _MIB:.1f} MiB ({size} bytes), over the limit of "
        f"{max_bytes / _MIB:.1f} MiB ({max_bytes} bytes)",
    )


def parse_report(data: bytes, *, origin: str) -> ScanReport:
    """Parse report bytes of any supported kind; `origin` names them in errors and the report."""
    data = _utf8(data, origin)
    first = _FIRST_TOKEN.search(data)
    if first is None:
        raise ReportError(
            origin, "the file is empty" if not data else "the file holds only whitespace"
        )
    if data[first.start() : first.start() + 1] not in (b"{", b"["):
        raise _not_a_json_document(data, origin)

    kind = _sniffed_kind(data, origin)
    if kind is _Kind.TRIVY:
        return report_from_trivy_json(data, origin=origin)
    document = _parse_json(data, origin)
    kind = kind or _detect(document, origin)
    if kind is _Kind.TRIVY:
        return report_from_trivy_json(data, origin=origin)
    return _parse_document(kind, document, origin)


def _sniffed_kind(data: bytes, origin: str) -> _Kind | None:
    """The kind told by the top of a large report, so that it is parsed only once."""
    if len(data) <= SNIFF_BYTES:
        return None
    try:
        head = from_json(data[:SNIFF_BYTES], allow_partial=True)
    except ValueError:
        return None
    return _kind_of(head, origin, complete=False)


def _utf8(data: bytes, origin: str) -> bytes:
    if data.startswith(_UTF8_BOM):
        return data[len(_UTF8_BOM) :]
    if data.startswith(_UTF16_BOMS):
        raise ReportError(
            origin,
            "the file is UTF-16 text (as PowerShell's > writes it); save the report as UTF-8, "
            "for example with trivy's --output option",
        )
    return data


def _not_a_json_document(data: bytes, origin: str) -> ReportError:
    head = data[:4096].decode("utf-8", errors="replace")
    if _TRIVY_TABLE.search(head):
        return ReportError(origin, f"not JSON; it looks like Trivy table output, {TRIVY_JSON_HINT}")
    try:
        value = from_json(data)
    except ValueError:
        return ReportError(origin, "not JSON")
    kind = "null" if value is None else _JSON_TYPE_NAMES.get(type(value), "value")
    return ReportError(origin, f"the JSON is a single {kind}, not a scan report")


_JSON_TYPE_NAMES = {str: "string", int: "number", float: "number", bool: "boolean"}


def _parse_json(data: bytes, origin: str) -> Any:
    try:
        return from_json(data)
    except ValueError as error:
        raise json_syntax_error(origin, str(error)) from None


def _detect(document: Any, origin: str) -> _Kind:
    """The kind of a whole document; raises when it is not a supported report."""
    kind = _kind_of(document, origin, complete=True)
    if kind is not None:
        return kind
    if isinstance(document, list):
        raise ReportError(
            origin, "a JSON list that is not a Trivy report (its first entry has no Target)"
        )
    raise ReportError(
        origin,
        f"not a scan report ecr-guard reads (top-level keys: {_key_list(document)}); expected "
        "Trivy JSON, ECR describe-image-scan-findings or Inspector list-findings output",
    )


def _kind_of(document: Any, origin: str, *, complete: bool) -> _Kind | None:
    """The kind of report, or None when no rule matches (yet, for the top of a document).

    Raises for a document known not to be a supported report.
    """
    if isinstance(document, list):
        if document and _has_key(document[0], "Target"):
            return _Kind.TRIVY
        if complete and not document:
            raise ReportError(origin, "an empty JSON list is not a scan report")
        return None
    if not isinstance(document, dict):
        raise ReportError(origin, "the JSON is not an object or a list, so not a scan report")
    _refuse_other_formats(document, origin)
    if "detail-type" in document:
        return _event_kind(document, origin)
    findings = document.get("findings")
    if isinstance(findings, list) and (
        _has_key(findings[0] if findings else None, "findingArn") or (complete and not findings)
    ):
        return _Kind.INSPECTOR_LIST
    return next((kind for key, kind in _KINDS_BY_KEY if key in document), None)


_KINDS_BY_KEY = (
    ("imageScanFindings", _Kind.ECR_SCAN_FINDINGS),
    ("imageScanStatus", _Kind.ECR_SCAN_FINDINGS),
    ("findingArn", _Kind.INSPECTOR_FINDING),
    ("SchemaVersion", _Kind.TRIVY),
    ("Results", _Kind.TRIVY),
)


def _event_kind(document: dict[str, Any], origin: str) -> _Kind:
    detail_type = document.get("detail-type")
    if detail_type == INSPECTOR_EVENT_TYPE:
        return _Kind.INSPECTOR_EVENT
    raise ReportError(
        origin,
        f"this is an EventBridge event ({detail_type!r}), not a scan report; only "
        f"{INSPECTOR_EVENT_TYPE!r} events carry findings",
    )


def _refuse_other_formats(document: dict[str, Any], origin: str) -> None:
    schema = str(document.get("$schema") or "").lower()
    if "sarif" in schema or ("runs" in document and document.get("version") == "2.1.0"):
        raise UnsupportedFormatError(origin, "SARIF", TRIVY_JSON_HINT)
    if document.get("bomFormat") == "CycloneDX" or "cyclonedx" in schema:
        raise UnsupportedFormatError(origin, "a CycloneDX document", TRIVY_JSON_HINT)
    if "spdxVersion" in document:
        raise UnsupportedFormatError(origin, "an SPDX document", TRIVY_JSON_HINT)
    findings = document.get("Findings")
    if isinstance(findings, list) or document.get("SchemaVersion") == _ASFF_SCHEMA_VERSION:
        first = findings[0] if isinstance(findings, list) and findings else document
        raise _asff_error(first if isinstance(first, dict) else {}, origin)
    if "imageDetails" in document:
        raise UnsupportedFormatError(
            origin,
            "ECR DescribeImages output",
            "its scan summary is not the findings; use `aws ecr describe-image-scan-findings` "
            "output",
        )
    if "coveredResources" in document:
        raise UnsupportedFormatError(
            origin,
            "Inspector ListCoverage output",
            "coverage says whether an image is scanned, not what was found; use "
            "`aws inspector2 list-findings` output",
        )


def _asff_error(finding: dict[str, Any], origin: str) -> UnsupportedFormatError:
    product = str(finding.get("ProductArn") or "")
    generator = str(finding.get("GeneratorId") or "")
    fields = finding.get("ProductFields")
    field_names = list(fields) if isinstance(fields, dict) else []
    if "aquasecurity" in product or generator.startswith("Trivy"):
        return UnsupportedFormatError(
            origin, "Trivy ASFF output (AWS Security Finding Format)", TRIVY_JSON_HINT
        )
    if "product/aws/" in product or any(
        name.startswith("aws/securityhub/") for name in field_names
    ):
        return UnsupportedFormatError(
            origin,
            "AWS Security Hub findings (ASFF, as GetFindings returns them)",
            "read the source instead: `aws inspector2 list-findings` output for Inspector, "
            f"or for Trivy {TRIVY_JSON_HINT}",
        )
    return UnsupportedFormatError(
        origin, "ASFF (AWS Security Finding Format)", f"for Trivy {TRIVY_JSON_HINT}"
    )


def _parse_document(kind: _Kind, document: Any, origin: str) -> ScanReport:
    if kind is _Kind.ECR_SCAN_FINDINGS:
        _refuse_partial(document, origin)
        return report_from_scan_findings_pages([document], origin=origin)
    if kind is _Kind.INSPECTOR_LIST:
        _refuse_partial(document, origin)
        return report_from_inspector_findings(document["findings"], origin=origin)
    if kind is _Kind.INSPECTOR_EVENT:
        detail = document.get("detail")
        if not isinstance(detail, dict):
            raise ReportError(origin, "the event has no detail object", location="detail")
        return report_from_inspector_finding(
            detail,
            origin=origin,
            report_format=ReportFormat.INSPECTOR_FINDING_EVENT,
            location="detail",
        )
    return report_from_inspector_finding(document, origin=origin)


def _refuse_partial(document: dict[str, Any], origin: str) -> None:
    """The AWS CLI prints a NextToken when --max-items cut the output short."""
    if document.get("NextToken") or document.get("nextToken"):
        raise ReportError(
            origin,
            "the output stops at a NextToken: it is one page of several; run the AWS CLI "
            "without --max-items so that it reads every page",
        )


def _has_key(value: Any, key: str) -> bool:
    return isinstance(value, dict) and key in value


def _key_list(document: dict[str, Any]) -> str:
    keys = [str(key) for key in document]
    if not keys:
        return "none"
    shown = ", ".join(keys[:8])
    return f"{shown}, …" if len(keys) > 8 else shown
