"""What the report parsers share: format names, error messages, dates, CVSS and titles.

Every parser turns pydantic's validation errors into one `ReportError` line that names the
report (`origin`), the field path inside it and what is wrong, so that a user never sees a
traceback or a multi-line pydantic dump.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from ecr_guard.errors import ReportError

TITLE_MAX_CHARS = 200
"""A title made from a description is cut to this many characters."""

UNSUPPORTED_VERSION = "unsupported_version"
"""The error type raised by raw models for a format version ecr-guard does not read."""

CvssScore = Annotated[float, Field(ge=0, le=10)]
"""A CVSS base score as a raw model accepts it, so that findings can trust it."""


class ReportFormat(StrEnum):
    """The input formats ecr-guard reads, as named in `ScanReport.format`."""

    TRIVY_JSON = "trivy-json"
    TRIVY_JSON_LEGACY_OBJECT = "trivy-json-legacy-object"
    TRIVY_JSON_LEGACY_LIST = "trivy-json-legacy-list"
    ECR_SCAN_FINDINGS = "ecr-describe-image-scan-findings"
    INSPECTOR_LIST_FINDINGS = "inspector2-list-findings"
    INSPECTOR_FINDING = "inspector2-finding"
    INSPECTOR_FINDING_EVENT = "inspector2-finding-event"


_JSON_POSITION = re.compile(r"line (\d+) column (\d+)")


def json_syntax_error(origin: str, detail: str) -> ReportError:
    """The one-line error for bytes that are not (complete) JSON, from a jiter message.

    jiter reports `EOF while parsing … at line N column M` for a file that stops early, which is
    what a truncated upload or an interrupted redirect looks like.
    """
    position = _JSON_POSITION.search(detail)
    line = position.group(1) if position else "?"
    if detail.startswith("EOF while parsing"):
        return ReportError(
            origin, f"JSON ends unexpectedly at line {line}; the file looks truncated"
        )
    column = position.group(2) if position else "?"
    reason = _JSON_POSITION.sub("", detail).removesuffix(" at ").strip()
    return ReportError(origin, f"not valid JSON at line {line} column {column}: {reason}")


def report_error_from_validation(
    origin: str, error: ValidationError, *, prefix: str = ""
) -> ReportError:
    """The first validation problem as one line: field path, what is wrong, how many more."""
    details = error.errors(include_url=False)
    first = _most_telling(details)
    if first["type"] == "json_invalid":
        return json_syntax_error(origin, str(first.get("ctx", {}).get("error", first["msg"])))

    location = join_location(prefix, first["loc"])
    message = first["msg"]
    if first["type"] != UNSUPPORTED_VERSION and isinstance(first["input"], str | int | float):
        message = f"{message} (got {_short_repr(first['input'])})"
    if len(details) > 1:
        more = len(details) - 1
        message = f"{message} (and {more} more problem{'s' if more > 1 else ''})"
    return ReportError(origin, message, location=location or None)


def _most_telling(details: list[ErrorDetails]) -> ErrorDetails:
    """An unsupported format version explains every other problem, so it is reported first."""
    for detail in details:
        if detail["type"] == UNSUPPORTED_VERSION:
            return detail
    return details[0]


def join_location(prefix: str, loc: Iterable[int | str]) -> str:
    """`Results[0].Vulnerabilities[3].CVSS` from pydantic's location tuple."""
    text = prefix
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text = f"{text}.{part}" if text else part
    return text


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def to_utc(moment: datetime | None) -> datetime | None:
    """A timezone-aware UTC datetime; a naive one is taken to be UTC already."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(to_utc)]
"""A datetime field of a raw model: ISO-8601, epoch seconds or a datetime, stored as UTC."""

_DATETIME = TypeAdapter(datetime)

# Inspector's published event samples format dates for humans, in two styles, with no zone
# for the first; both are read as UTC.
_HUMAN_DATE_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%a %b %d %H:%M:%S.%f UTC %Y")


def lenient_datetime(value: Any) -> datetime | None:
    """A date in any form the AWS samples use, or None when it cannot be read.

    Dates only feed age rules, so an unreadable one must not make the whole report unusable.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        for pattern in _HUMAN_DATE_FORMATS:
            try:
                return datetime.strptime(value, pattern).replace(tzinfo=UTC)
            except ValueError:
                continue
    try:
        return to_utc(_DATETIME.validate_python(value))
    except ValidationError:
        return None


def cvss_version(vector: str | None, major: str) -> str:
    """`3.1` from `CVSS:3.1/AV:N/…`; the bare major version when the vector has no prefix."""
    if vector and vector.startswith("CVSS:"):
        version, _, _ = vector[5:].partition("/")
        if version:
            return version
    return major


def title_from_description(description: str | None) -> str | None:
    """The first line, and in it the first sentence, of a description, cut to a title's size."""
    if not description:
        return None
    line = description.strip().partition("\n")[0].strip()
    sentence_end = line.find(". ")
    if sentence_end != -1:
        line = line[: sentence_end + 1]
    if len(line) > TITLE_MAX_CHARS:
        line = line[: TITLE_MAX_CHARS - 1].rstrip() + "…"
    return line or None


def split_versions(text: str | None) -> tuple[str, ...]:
    """`("1.2.3", "2.0.1")` from `"1.2.3, 2.0.1"`; scanners list one fixed version per branch."""
    if not text:
        return ()
    return tuple(part for part in (piece.strip() for piece in text.split(",")) if part)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large report's objects are built.

    Parsing builds hundreds of thousands of containers without reference cycles, and the
    collector would walk them again and again for nothing: about a third of the time on a
    20,000-finding report. Reference counting still frees everything; the previous state of
    the collector is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
