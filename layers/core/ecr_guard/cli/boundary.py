"""Where errors stop: one line on stderr and an exit code, never a traceback unless asked.

Every command is wrapped in `guarded`. An `ecr_guard.errors.GuardError` (a report, a policy or
a setting that cannot be used, an AWS call that failed in a way ecr-guard understands) exits 2
with its own message; anything else is a bug in ecr-guard and exits 3, so that a pipeline never
mistakes it for a verdict. `--debug` (or ECR_GUARD_DEBUG=1)
lets the exception through with its traceback.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import NoReturn, ParamSpec

import typer

from ecr_guard.errors import GuardError
from ecr_guard.output.run import ExitCode
from ecr_guard.output.text import clean

DEBUG_ENV = "ECR_GUARD_DEBUG"
PROGRAM = "ecr-guard"
INTERRUPTED = 130
"""The shell's code for a run stopped by Ctrl-C, so that it is never read as a verdict."""

P = ParamSpec("P")


class _Settings:
    """Global options, set by the application callback on every invocation."""

    debug = False


def set_debug(enabled: bool) -> None:
    _Settings.debug = enabled


def debug_enabled() -> bool:
    """True with `ecr-guard --debug …` or ECR_GUARD_DEBUG set to a true value."""
    if _Settings.debug:
        return True
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def print_error(message: str) -> None:
    """`ecr-guard: <message>` on stderr; continuation lines of the message keep their indent."""
    typer.echo(f"{PROGRAM}: {message}", err=True)


def fail(message: str, code: ExitCode = ExitCode.INPUT_ERROR) -> NoReturn:
    print_error(message)
    raise typer.Exit(code)


def guarded(command: Callable[P, None]) -> Callable[P, None]:
    """Wrap a command so that errors end it the way the module docstring says."""

    @functools.wraps(command)
    def run_guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except GuardError as error:
            if debug_enabled():
                raise
            fail(str(error), ExitCode.INPUT_ERROR)
        except KeyboardInterrupt:
            print_error("interrupted")
            raise typer.Exit(INTERRUPTED) from None
        except Exception as error:
            if debug_enabled():
                raise
            fail(
                f"internal error: {type(error).__name__}: {clean(str(error), limit=300)} "
                f"(run with --debug or {DEBUG_ENV}=1 to see the traceback, and please report it)",
                ExitCode.INTERNAL_ERROR,
            )

    return run_guarded
