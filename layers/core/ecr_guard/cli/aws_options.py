"""The options `ecr-guard release` and `status` share to reach the deployed guard's ledger with
the user's own AWS credentials: `--table` (or ECR_GUARD_TABLE), `--region`, `--profile`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from ecr_guard.errors import ConfigError

if TYPE_CHECKING:
    from ecr_guard.adapters.clients import ClientFactory
    from ecr_guard.adapters.ledger import Ledger

TABLE_ENV = "ECR_GUARD_TABLE"

TableOption = Annotated[
    str | None,
    typer.Option(
        "--table",
        envvar=TABLE_ENV,
        metavar="NAME",
        help="The guard's ledger table (the stack output TableName).",
        show_default=False,
    ),
]
RegionOption = Annotated[
    str | None,
    typer.Option(
        "--region",
        metavar="REGION",
        help="Region of the guard's stack; your AWS configuration's region if absent.",
        show_default=False,
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        metavar="NAME",
        help="Named profile of your AWS configuration to use.",
        show_default=False,
    ),
]


@dataclass(frozen=True)
class AwsTarget:
    """The clients and the ledger a command works on."""

    clients: ClientFactory
    ledger: Ledger
    region: str


def connect(*, table: str | None, region: str | None, profile: str | None) -> AwsTarget:
    """Clients for the user's credentials and the ledger; ConfigError when a setting is missing."""
    if not table:
        raise ConfigError(f"--table (or {TABLE_ENV}) is required: the guard's ledger table name")
    # boto3 is imported only by the commands that talk to AWS, so `ecr-guard check` in a
    # pipeline starts without it.
    from ecr_guard.adapters.clients import ClientFactory  # noqa: PLC0415
    from ecr_guard.adapters.ledger import Ledger  # noqa: PLC0415

    clients = ClientFactory(profile=profile)
    chosen = region or clients.default_region()
    if not chosen:
        raise ConfigError("--region is required: no region in your AWS configuration")
    return AwsTarget(
        clients=clients, ledger=Ledger(clients, table_name=table, region=chosen), region=chosen
    )
