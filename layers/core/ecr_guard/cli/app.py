"""The `ecr-guard` application: global options, and one module per command.

Adding a command: write a module in `ecr_guard.cli` with a `register(app: typer.Typer) -> None`
function that adds its command(s) (`app.command(...)`) or its group (`app.add_typer(...)`),
wrap each command function in `boundary.guarded`, and list the module in `COMMAND_MODULES`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Annotated

import typer

from ecr_guard import __version__
from ecr_guard.cli import boundary, check, demo, policy_cmd, release, simulate, status

COMMAND_MODULES: tuple[ModuleType, ...] = (check, policy_cmd, release, status, simulate, demo)

app = typer.Typer(
    name="ecr-guard",
    help="Check container image scan reports against an ecr-guard policy, as the registry "
    "guard does in Amazon ECR.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ecr-guard {__version__}")
        raise typer.Exit


@app.callback()
def _global_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            envvar=boundary.DEBUG_ENV,
            help="Show the traceback of an unexpected error instead of one line.",
        ),
    ] = False,
) -> None:
    """Options that apply to every command; read back through `boundary.debug_enabled`."""
    boundary.set_debug(debug)


for _module in COMMAND_MODULES:
    _module.register(app)


def main() -> None:
    """The console script `ecr-guard`."""
    app()
