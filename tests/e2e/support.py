"""Running `ecr-guard` for the end-to-end tests: in-process (typer's runner) or as the installed
console script, as a user or a pipeline runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ecr_guard.cli.app import app
from ecr_guard.sim.bundled import bundled_scenarios
from typer.testing import CliRunner

HERE = Path(__file__).resolve().parent
TEST_SCENARIOS = HERE / "scenarios"


def script() -> Path:
    path = Path(sys.executable).parent / "ecr-guard"
    assert path.is_file(), f"{path} is missing: install the package (pip install -e .)"
    return path


def run_script(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The console script with a clean environment: no AWS configuration at all."""
    return subprocess.run(
        [str(script()), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
        timeout=300,
    )


def simulate_json(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["simulate", "--json", *map(str, args)])
    return result.exit_code, json.loads(result.stdout)


@contextmanager
def bundled() -> Iterator[Path]:
    with bundled_scenarios() as folder:
        yield folder
