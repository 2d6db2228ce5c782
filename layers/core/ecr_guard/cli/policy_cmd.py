"""`ecr-guard policy`: validate policy files, print the JSON Schema and the built-in default."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from ecr_guard.cli.boundary import guarded, print_error
from ecr_guard.errors import PolicyError
from ecr_guard.output.run import ExitCode
from ecr_guard.output.text import plural
from ecr_guard.policy.fingerprint import policy_fingerprint
from ecr_guard.policy.load import DEFAULT_POLICY_RESOURCE, load_policy, policy_schema
from ecr_guard.policy.model import Policy

policy_app = typer.Typer(
    name="policy",
    help="Validate policy files, print the policy JSON Schema or the built-in default policy.",
    no_args_is_help=True,
)


@policy_app.command("validate", no_args_is_help=True)
@guarded
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="Policy files to validate.", show_default=False),
    ],
) -> None:
    """Validate policy files completely; exit 2 if any is invalid."""
    invalid = False
    for path in files:
        try:
            policy = load_policy(path)
        except PolicyError as error:
            print_error(str(error))
            invalid = True
            continue
        typer.echo(f"{path}: valid ({describe_policy(policy)})")
    raise typer.Exit(ExitCode.INPUT_ERROR if invalid else ExitCode.OK)


@policy_app.command("schema")
@guarded
def schema() -> None:
    """Print the JSON Schema of the policy file, for editors and CI checks."""
    typer.echo(json.dumps(policy_schema(), indent=2))


@policy_app.command("show-default")
@guarded
def show_default() -> None:
    """Print the built-in default policy: a commented starting point for your own."""
    text = resources.files("ecr_guard.policy").joinpath(DEFAULT_POLICY_RESOURCE).read_text()
    typer.echo(text, nl=False)


def describe_policy(policy: Policy, *, today: datetime | None = None) -> str:
    """`5 rules, 1 rule set, 2 waivers (1 expired), fingerprint sha256:…`."""
    day = (today or datetime.now(UTC)).date()
    rules = len(policy.rules) + sum(len(rule_set.rules) for rule_set in policy.rule_sets)
    expired = sum(1 for waiver in policy.waivers if waiver.expires < day)
    waivers = plural(len(policy.waivers), "waiver")
    if expired:
        waivers += f" ({expired} expired)"
    return (
        f"{plural(rules, 'rule')}, {plural(len(policy.rule_sets), 'rule set')}, {waivers}, "
        f"fingerprint {policy_fingerprint(policy)}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
