"""Running `ecr-guard` in-process, and reports derived from the corpus in a temporary folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ecr_guard.cli.app import app
from typer.testing import CliRunner, Result

from tests.unit.cli.support import FIXED_NOW, DerivedReport, Invoke


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run `ecr-guard ARGS` in-process, with a fixed clock unless `--now` is given."""
    monkeypatch.delenv("ECR_GUARD_DEBUG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "120")

    def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
        argv = [str(arg) for arg in args]
        if "check" in argv and "--now" not in argv:
            argv += ["--now", FIXED_NOW]
        return CliRunner().invoke(app, argv, env=env)

    return run


@pytest.fixture
def derived_report(corpus: Path, tmp_path: Path) -> DerivedReport:
    """A corpus report changed by `edit` and saved in tmp_path, for cases the corpus lacks."""

    def derive(name: str, edit: Callable[[dict[str, Any]], None]) -> Path:
        document = json.loads((corpus / name).read_text(encoding="utf-8"))
        edit(document)
        path = tmp_path / f"derived-{Path(name).name}"
        path.write_text(json.dumps(document), encoding="utf-8")
        return path

    return derive
