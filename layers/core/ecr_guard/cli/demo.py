"""`ecr-guard demo`: the guard's story in under a minute, on an embedded AWS, no account needed.

It runs the bundled scenarios (the same files `ecr-guard simulate` takes) and exits 0 when every
expectation in them holds. `--copy-to DIR` copies them, with their reports, to start your own.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from ecr_guard.cli.boundary import guarded
from ecr_guard.cli.simulate import ServerOption, exit_code, run_all
from ecr_guard.errors import InputError

INTRO = """\
ecr-guard demo: the registry guard for Amazon ECR, run on an embedded AWS emulator (moto).
No AWS account is used. The Lambda handlers run in this process exactly as Lambda runs them,
fed with the events ECR, Inspector, S3 and CI send; each numbered step below is one of them.
"""

OUTRO = """\
These scenarios are YAML files: `ecr-guard demo --copy-to DIR` copies them (with their reports)
so that you can change the policy or the events and run `ecr-guard simulate DIR/<file>.yaml`.
"""


@guarded
def demo(
    *,
    server: ServerOption = False,
    copy_to: Annotated[
        Path | None,
        typer.Option(
            "--copy-to",
            metavar="DIR",
            file_okay=False,
            help="Copy the bundled scenarios and their reports to DIR (created) and exit.",
        ),
    ] = None,
) -> None:
    """Tell the guard's story on an embedded AWS, in under a minute, no AWS account needed.

    Audit, then enforce; the developer's message; a waiver and its expiry; a clean rebuild; a
    multi-arch image judged by its worst platform; an unscannable image; a new CVE. Exits 0
    when every expectation of the bundled scenarios holds.
    """
    from ecr_guard.sim.bundled import DEMO_SCENARIOS, bundled_scenarios  # noqa: PLC0415
    from ecr_guard.sim.load import load_scenario  # noqa: PLC0415
    from ecr_guard.sim.render import render_result, render_summary  # noqa: PLC0415

    with bundled_scenarios() as folder:
        if copy_to is not None:
            copy_scenarios(folder, copy_to)
            return
        loaded = [load_scenario(folder / name) for name in DEMO_SCENARIOS]
        typer.echo(INTRO)
        results = run_all(loaded, server=server)

    for number, result in enumerate(results, 1):
        rule = f"── {number}/{len(results)} · {result.scenario} "
        typer.echo(rule.ljust(100, "─"))
        typer.echo(render_result(result))
        typer.echo("")
    typer.echo(render_summary(results))
    typer.echo("")
    typer.echo(OUTRO, nl=False)
    raise typer.Exit(exit_code(results))


def copy_scenarios(folder: Path, target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        raise InputError(str(target), "exists and is not empty: give a new or empty folder")
    shutil.copytree(folder, target, dirs_exist_ok=True)
    typer.echo(f"copied the bundled scenarios to {target}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
