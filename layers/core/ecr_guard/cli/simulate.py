"""`ecr-guard simulate SCENARIO...`: run the guard's Lambda handlers against an embedded AWS
emulator, driven by scenario files, and check the scenarios' `expect:` blocks.

Every scenario is read and validated before any runs: a bad one stops everything (exit 2) with
one message naming the file, the field and the line, as a bad policy does.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecr_guard.cli.boundary import guarded
from ecr_guard.output.run import ExitCode

if TYPE_CHECKING:
    from ecr_guard.sim.load import LoadedScenario
    from ecr_guard.sim.report import ScenarioResult

ServerOption = Annotated[
    bool,
    typer.Option(
        "--server",
        help="Run the emulator as a moto server on 127.0.0.1 (a free port) and send every AWS "
        "call over HTTP, instead of moto in-process.",
    ),
]


@guarded
def simulate(
    scenarios: Annotated[
        list[Path] | None,
        typer.Argument(metavar="SCENARIO...", help="Scenario files (YAML).", show_default=False),
    ] = None,
    *,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print one JSON document: per step the decisions, actions, images (tags, "
            "storage class), notifications and ledger records.",
        ),
    ] = False,
    server: ServerOption = False,
    emails: Annotated[
        bool, typer.Option("--emails", help="Print the email text of every message published.")
    ] = False,
    schema: Annotated[
        bool, typer.Option("--schema", help="Print the JSON Schema of scenario files and exit.")
    ] = False,
) -> None:
    """Run scenarios on the guard without an AWS account.

    The very handlers that run in Lambda are driven with EventBridge-shaped events against an
    embedded AWS emulator (moto). Exit codes: 0 every expectation holds, 1 one does not, 2 a
    scenario cannot be used, 3 an internal error.
    """
    from ecr_guard.sim.load import load_scenario, scenario_schema  # noqa: PLC0415

    if schema:
        typer.echo(json.dumps(scenario_schema(), indent=2))
        return
    if not scenarios:
        raise typer.BadParameter("give at least one scenario file", param_hint="SCENARIO")

    loaded = [load_scenario(path) for path in scenarios]
    results = run_all(loaded, server=server)
    if json_output:
        from ecr_guard.sim.report import report_document  # noqa: PLC0415

        typer.echo(json.dumps(report_document(results), indent=2))
    else:
        from ecr_guard.sim.render import render_result, render_summary  # noqa: PLC0415

        for result in results:
            typer.echo(render_result(result, emails=emails))
            typer.echo("")
        typer.echo(render_summary(results))
    raise typer.Exit(exit_code(results))


def run_all(loaded: list[LoadedScenario], *, server: bool) -> list[ScenarioResult]:
    """Run each scenario on its own emulated stack; scenarios without a clock start now."""
    from ecr_guard.sim.runner import run_scenario  # noqa: PLC0415

    now = datetime.now(UTC)
    return [run_scenario(scenario, server=server, now=now) for scenario in loaded]


def exit_code(results: list[ScenarioResult]) -> ExitCode:
    return ExitCode.OK if all(result.passed for result in results) else ExitCode.POLICY_FAILED


def register(app: typer.Typer) -> None:
    app.command("simulate", no_args_is_help=True)(simulate)
