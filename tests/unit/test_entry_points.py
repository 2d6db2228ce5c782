"""SAM runs functions/<name>/app.py; those files must hand Lambda the package's handlers, which
the tests and `ecr-guard simulate` run."""

from __future__ import annotations

import importlib
import runpy

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.parametrize("name", ["guard", "push_recorder", "slack_notifier"])
def test_function_entry_point_is_the_package_handler(name):
    namespace = runpy.run_path(str(REPO_ROOT / "functions" / name / "app.py"))

    package_handler = importlib.import_module(f"ecr_guard.handlers.{name}").lambda_handler
    assert namespace["lambda_handler"] is package_handler
