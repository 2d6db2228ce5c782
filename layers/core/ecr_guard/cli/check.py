"""`ecr-guard check`: apply the policy to scan reports before the push, with CI exit codes.

Each report is read and evaluated on its own. An unusable report is named on stderr (one line)
and the others are still evaluated and rendered, but the exit code is 2: a gate must not pass
on a report it could not read. A policy that does not load stops everything with exit code 2.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from ecr_guard.cli.boundary import fail, guarded, print_error
from ecr_guard.cli.scope import image_for_report
from ecr_guard.errors import InputError
from ecr_guard.findings.load import read_report
from ecr_guard.output import CheckRun, OutputFormat, render_document, write_output
from ecr_guard.output.rows import image_label
from ecr_guard.output.text import clean
from ecr_guard.policy.decision import Decision
from ecr_guard.policy.evaluate import evaluate
from ecr_guard.policy.load import load_policy
from ecr_guard.policy.model import Policy


@guarded
def check(
    reports: Annotated[
        list[Path],
        typer.Argument(
            metavar="REPORT",
            help="Scan reports to check: Trivy JSON (any version), ECR or Inspector findings.",
            show_default=False,
        ),
    ],
    *,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy", "-p", metavar="FILE", help="Policy file; the built-in default if absent."
        ),
    ] = None,
    repository: Annotated[
        str | None,
        typer.Option(
            "--repository",
            "-r",
            metavar="NAME",
            help="ECR repository the image is pushed to (team/app), for rule sets and waivers "
            "scoped by repository; taken from the report when absent.",
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            "-t",
            metavar="TAG",
            help="Tag the image is pushed with; repeat for several. Taken from the report "
            "when absent.",
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="Output format."),
    ] = OutputFormat.TABLE,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            dir_okay=False,
            help="Write the output to FILE instead of stdout; a verdict line per report still "
            "goes to stderr.",
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            metavar="DATETIME",
            help="Evaluate as of this ISO 8601 date or time (UTC unless an offset is given), "
            "for example to see which waivers will have expired by then. Default: now.",
        ),
    ] = None,
) -> None:
    """Check scan reports against the policy.

    Exit codes: 0 every report passes (PASS or WARN), 1 a report fails the policy, 2 a report,
    the policy or an option cannot be used, 3 an internal error.
    """
    clock = parse_now(now) if now else datetime.now(UTC)
    loaded = load_policy(policy)
    run = evaluate_reports(reports, loaded, now=clock, repository=repository, tags=tuple(tag or ()))

    if output is None:
        if run.decisions or output_format is not OutputFormat.TABLE:
            write_output(run, output_format, sys.stdout)
    else:
        _write_file(output, render_document(run, output_format))
        _print_verdicts(run.decisions)
        typer.echo(f"{output_format.value} output written to {output}", err=True)
    raise typer.Exit(run.exit_code)


def evaluate_reports(
    paths: list[Path],
    policy: Policy,
    *,
    now: datetime,
    repository: str | None = None,
    tags: tuple[str, ...] = (),
) -> CheckRun:
    """Read and evaluate every report; unusable ones are printed on stderr and kept as errors."""
    decisions: list[Decision] = []
    errors: list[InputError] = []
    for path in paths:
        try:
            report = read_report(path)
            image = image_for_report(report, repository=repository, tags=tags)
        except InputError as error:
            print_error(str(error))
            errors.append(error)
            continue
        decisions.append(evaluate(report, policy, now=now, image=image))
    return CheckRun(decisions=tuple(decisions), errors=tuple(errors))


def parse_now(value: str) -> datetime:
    """An ISO 8601 date (midnight UTC) or date-time (UTC unless it carries an offset)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO 8601 date or time (2027-01-31, 2027-01-31T12:00:00Z)",
            param_hint="'--now'",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def register(app: typer.Typer) -> None:
    app.command("check", no_args_is_help=True)(check)


def _write_file(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"{path}: cannot write the output: {error.strerror or error}")


def _print_verdicts(decisions: tuple[Decision, ...]) -> None:
    for decision in decisions:
        # The summary sentence starts with the verdict (`FAIL: …`).
        typer.echo(f"{clean(image_label(decision))}: {clean(decision.summary)}", err=True)
