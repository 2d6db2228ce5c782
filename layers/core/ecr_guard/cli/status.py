"""`ecr-guard status`: the images the guard holds in quarantine now, from the ledger's sparse
index of quarantined images (oldest first)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ecr_guard.cli.aws_options import ProfileOption, RegionOption, TableOption, connect
from ecr_guard.cli.boundary import guarded
from ecr_guard.guard.state import ImageState
from ecr_guard.images import short_digest


class StatusFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def status_rows(states: list[ImageState]) -> list[dict[str, Any]]:
    """One JSON-ready row per quarantined image."""
    rows = []
    for state in states:
        quarantine = state.quarantine
        if quarantine is None:
            continue
        rows.append(
            {
                "repository": state.key.repository,
                "digest": state.key.digest,
                "account": state.key.account,
                "region": state.key.region,
                "tags_removed": sorted(quarantine.removed_tags),
                "quarantine_tag": quarantine.quarantine_tag,
                "since": quarantine.at.isoformat(),
                "method": quarantine.method.value,
                "rule_ids": list(quarantine.rule_ids),
                "complete": quarantine.complete,
                "release_command": f"ecr-guard release {state.key.reference()}",
            }
        )
    return rows


def render_table(rows: list[dict[str, Any]], console: Console) -> None:
    if not rows:
        console.print("No image is quarantined.")
        return
    table = Table(title=f"Quarantined images ({len(rows)})")
    for column in ("REPOSITORY", "DIGEST", "TAGS REMOVED", "QUARANTINE TAG", "SINCE", "METHOD"):
        table.add_column(column)
    table.add_column("RULES")
    for row in rows:
        table.add_row(
            row["repository"],
            short_digest(row["digest"]),
            ", ".join(row["tags_removed"]) or "-",
            row["quarantine_tag"] or "-",
            row["since"][:19].replace("T", " "),
            row["method"] + ("" if row["complete"] else " (incomplete)"),
            ", ".join(row["rule_ids"]) or "-",
        )
    console.print(table)


@guarded
def status(
    *,
    table: TableOption = None,
    region: RegionOption = None,
    profile: ProfileOption = None,
    output_format: Annotated[
        StatusFormat,
        typer.Option("--format", "-f", help="table for people, json for scripts."),
    ] = StatusFormat.TABLE,
) -> None:
    """List the images quarantined now: repository, digest, tags removed, since, method, rules."""
    target = connect(table=table, region=region, profile=profile)
    rows = status_rows(list(target.ledger.quarantined()))
    if output_format is StatusFormat.JSON:
        typer.echo(json.dumps(rows, indent=2))
        return
    render_table(rows, Console())


def register(app: typer.Typer) -> None:
    app.command("status")(status)
