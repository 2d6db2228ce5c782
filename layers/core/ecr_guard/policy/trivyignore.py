"""Waivers imported from Trivy's YAML ignore file, `.trivyignore.yaml`.

The file has four top-level lists, `vulnerabilities`, `misconfigurations`, `secrets` and
`licenses`, of entries with `id`, `paths`, `purls`, `statement` and `expired_at`. Each entry
becomes one or more ecr-guard waivers:

- `id` is required. Recent Trivy versions accept an entry with only `paths` or `purls` that
  ignores every finding there; ecr-guard waives one finding id at a time, so such an entry is
  an error rather than a blanket exception nobody reviews.
- `expired_at` is required. Trivy treats an entry without it as permanent; an ecr-guard waiver
  is an accepted risk with an end date, so that someone looks again. The entry is rejected
  with its position (`vulnerabilities[3]`), and the fix is to add `expired_at: YYYY-MM-DD`.
- Trivy stops applying an entry at the start of `expired_at` (midnight UTC for a date), while
  an ecr-guard waiver names the last day it applies: the waiver expires the day before the
  UTC date of `expired_at`, so the file means the same thing to both tools.
- `paths` and `purls` narrow the entry, and both must match when both are given: one waiver is
  made per path, per purl, or per (path, purl) pair. Paths are globs where `*` stays within a
  folder and `**` spans folders; a purl without a version covers every version.
- The waiver's reason is the `statement`, or "imported from <file name>" when there is none;
  its `approved_by` is the file name, since the file (and whoever reviews changes to it) is
  the authority.
- `licenses` entries are counted and skipped: ecr-guard does not evaluate licenses.
- Unknown keys are errors, as in the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from ecr_guard.errors import PolicyError
from ecr_guard.policy.model import Waiver
from ecr_guard.policy.problems import problems_from_validation
from ecr_guard.policy.purl import PackageUrl
from ecr_guard.policy.yaml_source import (
    DocPath,
    Problem,
    YamlSource,
    parse_yaml,
    raise_problems,
)

_FINDING_LISTS = ("vulnerabilities", "misconfigurations", "secrets")

_IgnorePath = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class _IgnoreEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = None
    paths: list[_IgnorePath] | None = None
    purls: list[Annotated[str, StringConstraints(min_length=1)]] | None = None
    statement: str | None = None
    expired_at: datetime | date | None = None


class _IgnoreDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    vulnerabilities: list[_IgnoreEntry] | None = None
    misconfigurations: list[_IgnoreEntry] | None = None
    secrets: list[_IgnoreEntry] | None = None
    licenses: list[Any] | None = None


@dataclass(frozen=True)
class ImportedWaivers:
    """The waivers read from one ignore file, and the license entries skipped."""

    origin: str
    waivers: tuple[Waiver, ...]
    licenses_skipped: int


def load_trivyignore(path: Path) -> ImportedWaivers:
    """Read `path` as a `.trivyignore.yaml`; PolicyError naming the entry for any fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise PolicyError(str(path), "not UTF-8 text") from error
    except OSError as error:
        raise PolicyError(str(path), f"cannot be read: {error.strerror}") from error
    return parse_trivyignore(text, origin=str(path), name=path.name)


def parse_trivyignore(text: str, *, origin: str, name: str | None = None) -> ImportedWaivers:
    """Parse the text of a `.trivyignore.yaml`; `name` is the file name used as approver."""
    source = parse_yaml(text, origin=origin, what="ignore file")
    try:
        document = _IgnoreDocument.model_validate(source.data)
    except ValidationError as error:
        raise_problems(origin, problems_from_validation(error, source, _IgnoreDocument))
        raise

    approver = name or Path(origin).name
    waivers: list[Waiver] = []
    problems: list[Problem] = []
    for list_name in _FINDING_LISTS:
        for index, entry in enumerate(getattr(document, list_name) or []):
            path: DocPath = (list_name, index)
            made, found = _waivers_from_entry(entry, path, source, approver)
            waivers += made
            problems += found
    raise_problems(origin, problems)
    return ImportedWaivers(
        origin=origin, waivers=tuple(waivers), licenses_skipped=len(document.licenses or [])
    )


def expiry_from_expired_at(expired_at: datetime | date) -> date:
    """The last UTC day an entry applies: the day before `expired_at`'s UTC date."""
    if isinstance(expired_at, datetime):
        aware = expired_at if expired_at.tzinfo else expired_at.replace(tzinfo=UTC)
        expired_at = aware.astimezone(UTC).date()
    return expired_at - timedelta(days=1)


def _waivers_from_entry(
    entry: _IgnoreEntry, path: DocPath, source: YamlSource, approver: str
) -> tuple[list[Waiver], list[Problem]]:
    problems = []
    if not entry.id:
        problems.append(
            Problem(
                path,
                source.line_of(path),
                "id is required: ecr-guard waives one finding id at a time, not every finding "
                "of a path or package",
            )
        )
    if entry.expired_at is None:
        problems.append(
            Problem(
                path,
                source.line_of(path),
                "expired_at is required: every ecr-guard waiver expires; "
                "add `expired_at: YYYY-MM-DD`",
            )
        )
    for index, purl in enumerate(entry.purls or []):
        try:
            PackageUrl.parse(purl)
        except ValueError as error:
            purl_path = (*path, "purls", index)
            problems.append(Problem(purl_path, source.line_of(purl_path), str(error)))
    if problems or not entry.id or entry.expired_at is None:
        return [], problems

    statement = (entry.statement or "").strip()
    reason = statement or f"imported from {approver}"
    expires = expiry_from_expired_at(entry.expired_at)
    # No paths (or purls) means any path (or package): one `None` stands for "not narrowed".
    file_paths: list[str | None] = [*entry.paths] if entry.paths else [None]
    purls: list[str | None] = [*entry.purls] if entry.purls else [None]
    waivers = [
        Waiver(
            id=entry.id,
            path=file_path,
            purl=purl,
            reason=reason,
            approved_by=approver,
            expires=expires,
        )
        for file_path in file_paths
        for purl in purls
    ]
    return waivers, []
