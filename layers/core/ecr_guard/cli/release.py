"""`ecr-guard release REPOSITORY@DIGEST`: lift a quarantine the guard applied, exactly as the
guard does on a later PASS (same code): every removed tag that is still free is put back, tags
re-pushed onto another image meanwhile are skipped and named, and the quarantine tag is removed
only if a tag was restored. Runs against real AWS with your credentials."""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from ecr_guard.cli.aws_options import ProfileOption, RegionOption, TableOption, connect
from ecr_guard.cli.boundary import guarded
from ecr_guard.errors import InputError
from ecr_guard.guard.config import GuardSettings
from ecr_guard.guard.outcome import ActionReport
from ecr_guard.guard.quarantine import Quarantiner
from ecr_guard.guard.state import ImageState
from ecr_guard.images import is_canonical_digest

if TYPE_CHECKING:
    from ecr_guard.adapters.clients import ClientFactory
    from ecr_guard.adapters.ledger import Ledger


def parse_reference(reference: str) -> tuple[str, str]:
    """(repository, digest) from `REPOSITORY@sha256:<64 hex>`."""
    repository, separator, digest = reference.rpartition("@")
    if not separator or not repository:
        raise InputError(reference, "expected REPOSITORY@DIGEST, e.g. team/app@sha256:…")
    if not is_canonical_digest(digest):
        raise InputError(reference, "the digest must be sha256: followed by 64 hex characters")
    return repository, digest


def find_quarantined(states: list[ImageState], repository: str, digest: str) -> ImageState | None:
    matches = [
        state
        for state in states
        if state.key.repository == repository and state.key.digest == digest
    ]
    return matches[0] if matches else None


@guarded
def release(
    reference: Annotated[
        str,
        typer.Argument(
            metavar="REPOSITORY@DIGEST", help="The quarantined image.", show_default=False
        ),
    ],
    *,
    table: TableOption = None,
    region: RegionOption = None,
    profile: ProfileOption = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Release a quarantined image: restore its tags (or storage class) as the guard recorded."""
    parse_reference(reference)  # a bad reference fails before any AWS call
    target = connect(table=table, region=region, profile=profile)
    state = quarantined_state(target.ledger, region=target.region, reference=reference)
    quarantine = state.quarantine
    if quarantine is None:  # quarantined_state returns quarantined images only
        raise AssertionError(reference)

    typer.echo(f"{reference}: quarantined since {quarantine.at.isoformat()} ({quarantine.method})")
    if quarantine.removed_tags:
        typer.echo(f"  tags to restore: {', '.join(sorted(quarantine.removed_tags))}")
    if not yes and not typer.confirm("Release it?", default=False):
        raise typer.Exit(1)

    settings = GuardSettings.from_environ(os.environ, role="cli")
    result = release_state(
        state,
        clients=target.clients,
        ledger=target.ledger,
        settings=settings,
        now=datetime.now(UTC),
        by=f"cli:{_user()}",
    )
    typer.echo(describe_release(reference, result))


def quarantined_state(ledger: Ledger, *, region: str, reference: str) -> ImageState:
    """The ledger's state of the quarantined image `REPOSITORY@DIGEST` in `region`;
    InputError when the ledger holds no quarantine for it."""
    repository, digest = parse_reference(reference)
    quarantined = [state for state in ledger.quarantined() if state.key.region == region]
    state = find_quarantined(quarantined, repository, digest)
    if state is None or state.quarantine is None:
        raise InputError(reference, f"not quarantined (ledger table {ledger.table_name})")
    return state


def release_state(
    state: ImageState,
    *,
    clients: ClientFactory,
    ledger: Ledger,
    settings: GuardSettings,
    now: datetime,
    by: str,
) -> ActionReport:
    """Release the quarantined image exactly as the guard does on a later PASS (same code)."""
    from ecr_guard.adapters.ecr import EcrAdapter  # noqa: PLC0415 (boto3 only when needed)

    return Quarantiner(EcrAdapter(clients), ledger, settings).release(state, now=now, by=by)


def describe_release(reference: str, result: ActionReport) -> str:
    lines = [f"released {reference}"]
    if result.tags_restored:
        lines.append(f"  restored: {', '.join(result.tags_restored)}")
    if result.tags_skipped:
        lines.append(f"  not restored (now on another image): {', '.join(result.tags_skipped)}")
    if result.warning:
        lines.append(f"  note: {result.warning}")
    return "\n".join(lines)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def register(app: typer.Typer) -> None:
    app.command("release", no_args_is_help=True)(release)
