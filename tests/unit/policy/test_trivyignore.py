from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from textwrap import dedent

import pytest
from ecr_guard.errors import PolicyError
from ecr_guard.policy.trivyignore import (
    expiry_from_expired_at,
    load_trivyignore,
    parse_trivyignore,
)


def parse(text: str):
    return parse_trivyignore(dedent(text), origin="ci/.trivyignore.yaml")


def parse_error(text: str) -> str:
    with pytest.raises(PolicyError) as caught:
        parse(text)
    return str(caught.value)


def test_entries_of_every_finding_list_become_waivers():
    imported = parse(
        """\
        vulnerabilities:
          - id: CVE-2023-1
            statement: Not reachable.
            expired_at: 2027-01-31
        misconfigurations:
          - id: DS002
            expired_at: 2027-02-01
        secrets:
          - id: aws-access-key-id
            paths: ["tests/**"]
            expired_at: 2027-03-01
        """
    )

    assert [(w.id, w.path, w.expires) for w in imported.waivers] == [
        ("CVE-2023-1", None, date(2027, 1, 30)),
        ("DS002", None, date(2027, 1, 31)),
        ("aws-access-key-id", "tests/**", date(2027, 2, 28)),
    ]
    assert imported.licenses_skipped == 0


def test_statement_is_the_reason_and_the_file_name_the_approver():
    imported = parse(
        """\
        vulnerabilities:
          - id: CVE-2023-1
            statement: "  Accepted until the base image moves.  "
            expired_at: 2027-01-31
          - {id: CVE-2023-2, expired_at: 2027-01-31}
        """
    )

    first, second = imported.waivers
    assert first.reason == "Accepted until the base image moves."
    assert second.reason == "imported from .trivyignore.yaml"
    assert {first.approved_by, second.approved_by} == {".trivyignore.yaml"}


def test_each_path_and_purl_pair_becomes_one_waiver():
    imported = parse(
        """\
        vulnerabilities:
          - id: CVE-2022-40897
            paths: [a/METADATA, b/METADATA]
            purls: ["pkg:pypi/setuptools", "pkg:pypi/setuptools@58.1.0"]
            expired_at: 2027-01-31
        """
    )

    assert [(w.path, w.purl) for w in imported.waivers] == [
        ("a/METADATA", "pkg:pypi/setuptools"),
        ("a/METADATA", "pkg:pypi/setuptools@58.1.0"),
        ("b/METADATA", "pkg:pypi/setuptools"),
        ("b/METADATA", "pkg:pypi/setuptools@58.1.0"),
    ]


def test_licenses_are_counted_and_skipped():
    imported = parse(
        """\
        vulnerabilities: []
        secrets:
        licenses:
          - id: GPL-3.0
          - id: MIT
        """
    )

    assert imported.waivers == ()
    assert imported.licenses_skipped == 2


def test_entry_without_expiry_is_rejected_with_its_position():
    message = parse_error(
        """\
        vulnerabilities:
          - {id: CVE-2023-1, expired_at: 2027-01-31}
          - {id: CVE-2023-2, expired_at: 2027-01-31}
          - {id: CVE-2023-3, expired_at: 2027-01-31}
          - id: CVE-2023-4
            statement: forever
        """
    )

    assert message == (
        "ci/.trivyignore.yaml: vulnerabilities[3] (line 5): expired_at is required: every "
        "ecr-guard waiver expires; add `expired_at: YYYY-MM-DD`"
    )


def test_entry_without_id_is_rejected():
    message = parse_error(
        """\
        vulnerabilities:
          - purls: ["pkg:deb/ubuntu/linux-libc-dev"]
            expired_at: 2027-01-31
        """
    )

    assert message == (
        "ci/.trivyignore.yaml: vulnerabilities[0] (line 2): id is required: ecr-guard waives "
        "one finding id at a time, not every finding of a path or package"
    )


def test_unknown_key_in_an_entry_is_rejected():
    message = parse_error("vulnerabilities:\n  - id: CVE-1\n    expires_at: 2027-01-31\n")

    assert message == (
        "ci/.trivyignore.yaml: vulnerabilities[0] (line 3): unknown key 'expires_at'; "
        "did you mean 'expired_at'?"
    )


def test_unknown_top_level_list_is_rejected():
    message = parse_error("vulnerability:\n  - id: CVE-1\n")

    assert message == (
        "ci/.trivyignore.yaml: top level (line 1): unknown key 'vulnerability'; "
        "did you mean 'vulnerabilities'?"
    )


def test_malformed_purl_names_its_index():
    message = parse_error(
        "vulnerabilities:\n  - id: CVE-1\n    purls: [openssl]\n    expired_at: 2027-01-31\n"
    )

    assert message == (
        "ci/.trivyignore.yaml: vulnerabilities[0].purls[0] (line 3): 'openssl' is not a "
        "package URL: it must start with 'pkg:'"
    )


def test_invalid_expiry_date_is_rejected():
    message = parse_error("secrets:\n  - id: x\n    expired_at: 2027-02-30\n")

    assert message == (
        "ci/.trivyignore.yaml: secrets[0].expired_at (line 3): '2027-02-30' is not a date in "
        "the form YYYY-MM-DD (day value is outside expected range)"
    )


def test_empty_ignore_file_is_rejected():
    assert parse_error("# nothing ignored\n") == "ci/.trivyignore.yaml: the ignore file is empty"


@pytest.mark.parametrize(
    ("expired_at", "last_day"),
    [
        (date(2027, 1, 31), date(2027, 1, 30)),
        (datetime.fromisoformat("2027-01-31T00:00:00+00:00"), date(2027, 1, 30)),
        (datetime.fromisoformat("2027-01-31T15:00:00+00:00"), date(2027, 1, 30)),
        (datetime.fromisoformat("2027-01-31T20:00:00-05:00"), date(2027, 1, 31)),
        (datetime(2027, 1, 31, 10, 0), date(2027, 1, 30)),
    ],
)
def test_waiver_expires_the_day_before_trivy_stops_applying_the_entry(expired_at, last_day):
    assert expiry_from_expired_at(expired_at) == last_day


def test_timestamp_expiry_is_read(tmp_path: Path):
    path = tmp_path / "ignore.yaml"
    path.write_text(
        "vulnerabilities:\n  - id: CVE-1\n    expired_at: 2027-01-31T00:00:00Z\n", encoding="utf-8"
    )

    imported = load_trivyignore(path)

    assert imported.waivers[0].expires == date(2027, 1, 30)
    assert imported.waivers[0].approved_by == "ignore.yaml"
    assert imported.origin == str(path)
