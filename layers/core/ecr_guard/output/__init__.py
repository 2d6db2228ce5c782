"""The output formats of `ecr-guard check`: table, JSON, Markdown and SARIF.

Every format renders a `CheckRun`. Only the command line imports this package; the Lambda
functions never load it (nor rich).
"""

from __future__ import annotations

import os
from typing import TextIO

from rich.console import Console

from ecr_guard.output.json import render_json
from ecr_guard.output.markdown import render_markdown
from ecr_guard.output.run import CheckRun, ExitCode, OutputFormat
from ecr_guard.output.sarif import render_sarif
from ecr_guard.output.table import print_table, render_table_text

__all__ = ["CheckRun", "ExitCode", "OutputFormat", "render_document", "write_output"]

# A pipe or a CI log has no width of its own; rich would pick 80 columns, too narrow for tables.
PIPED_WIDTH = 120


def render_document(run: CheckRun, output_format: OutputFormat) -> str:
    """The whole output as text; the table is rendered without colour at `PIPED_WIDTH`."""
    if output_format is OutputFormat.JSON:
        return render_json(run)
    if output_format is OutputFormat.MARKDOWN:
        return render_markdown(run)
    if output_format is OutputFormat.SARIF:
        return render_sarif(run)
    return render_table_text(run, width=PIPED_WIDTH)


def write_output(run: CheckRun, output_format: OutputFormat, stream: TextIO) -> None:
    """Write the output to a console stream: the table adapts to the terminal, colour included."""
    if output_format is not OutputFormat.TABLE:
        stream.write(render_document(run, output_format))
        return
    sized_by_terminal = stream.isatty() or "COLUMNS" in os.environ
    console = Console(
        file=stream, width=None if sized_by_terminal else PIPED_WIDTH, highlight=False
    )
    print_table(run, console)
