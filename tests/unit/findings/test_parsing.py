"""The helpers every report parser shares."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from ecr_guard.errors import ReportError
from ecr_guard.findings.model import (
    FIX_VERSION_NOT_GIVEN,
    NO_FIX,
    Finding,
    FindingKind,
    FixAvailability,
    Severity,
)
from ecr_guard.findings.parsing import (
    cvss_version,
    gc_paused,
    lenient_datetime,
    split_versions,
    title_from_description,
)
from ecr_guard.findings.trivy import report_from_trivy_json


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


@pytest.mark.usefixtures("collector_enabled")
def test_collector_is_enabled_again_after_a_parse() -> None:
    report_from_trivy_json(b'{"SchemaVersion": 2}', origin="report.json")

    assert gc.isenabled()


@pytest.mark.usefixtures("collector_enabled")
def test_collector_is_enabled_again_after_a_failed_parse() -> None:
    with pytest.raises(ReportError):
        report_from_trivy_json(b'{"SchemaVersion": 2, "Results": [', origin="report.json")

    assert gc.isenabled()


@pytest.mark.usefixtures("collector_enabled")
def test_collector_left_disabled_stays_disabled() -> None:
    gc.disable()

    with gc_paused():
        pass

    assert not gc.isenabled()


@pytest.mark.parametrize(
    ("vector", "major", "version"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3", "3.1"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", "4.0", "4.0"),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "2.0", "2.0"),
        (None, "3", "3"),
        ("CVSS:/AV:N", "3", "3"),
    ],
)
def test_cvss_version_from_the_vector_prefix(vector: str | None, major: str, version: str) -> None:
    assert cvss_version(vector, major) == version


@pytest.mark.parametrize(
    ("description", "title"),
    [
        (None, None),
        ("", None),
        ("  \n", None),
        ("First line\nsecond line", "First line"),
        ("Version 1.2.3 is affected. Upgrade.", "Version 1.2.3 is affected."),
    ],
)
def test_title_from_description(description: str | None, title: str | None) -> None:
    assert title_from_description(description) == title


def test_split_versions_drops_empty_parts() -> None:
    assert split_versions("1.0, ,2.0,") == ("1.0", "2.0")
    assert split_versions(None) == ()


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        (1579839105.0, datetime(2020, 1, 24, 4, 11, 45, tzinfo=UTC)),
        (datetime(2024, 1, 1, 12, 0), datetime(2024, 1, 1, 12, 0, tzinfo=UTC)),
        ("2024-01-01T13:00:00+01:00", datetime(2024, 1, 1, 12, 0, tzinfo=UTC)),
        ("not a date", None),
        (True, None),
        ([2024], None),
    ],
)
def test_lenient_datetime(value: object, moment: datetime | None) -> None:
    assert lenient_datetime(value) == moment


def test_fix_without_a_named_version_is_shown_as_a_fix_not_as_no_fix() -> None:
    def finding(fix: FixAvailability, fixed: tuple[str, ...] = ()) -> Finding:
        return Finding(
            kind=FindingKind.VULNERABILITY,
            id="CVE-2024-0001",
            severity=Severity.HIGH,
            fix=fix,
            fixed_versions=fixed,
        )

    assert finding(FixAvailability.YES).display_fix() == FIX_VERSION_NOT_GIVEN
    assert finding(FixAvailability.NO).display_fix() == NO_FIX
    assert finding(FixAvailability.YES, ("1.2", "2.1")).display_fix() == "1.2, 2.1"
