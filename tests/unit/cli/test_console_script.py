"""The installed `ecr-guard` console script, run as a pipeline runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.cli.support import FIXED_NOW, FLASK_202

pytestmark = pytest.mark.corpus


def _script() -> Path:
    script = Path(sys.executable).parent / "ecr-guard"
    assert script.is_file(), f"{script} is missing: install the package (pip install -e .)"
    return script


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(_script()), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        timeout=120,
    )


def test_failing_report_exits_1_with_sarif_on_stdout(corpus: Path) -> None:
    completed = _run("check", corpus / FLASK_202, "--format", "sarif", "--now", FIXED_NOW)

    assert completed.returncode == 1
    assert json.loads(completed.stdout)["runs"][0]["tool"]["driver"]["name"] == "ecr-guard"
    assert completed.stderr == ""


def test_unusable_report_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "trivy.json"
    empty.write_bytes(b"")

    completed = _run("check", empty)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == f"ecr-guard: {empty}: the file is empty\n"
