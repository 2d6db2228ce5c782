"""The scenarios that ship with ecr-guard: `ecr-guard demo` runs them, in this order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

DEMO_SCENARIOS = (
    "01-critical-cve.yaml",
    "02-multi-arch.yaml",
    "03-unscannable.yaml",
    "04-new-cve.yaml",
)


@contextmanager
def bundled_scenarios() -> Iterator[Path]:
    """The folder of the bundled scenarios and the reports they use, as a real path."""
    folder = resources.files("ecr_guard.sim").joinpath("scenarios")
    with resources.as_file(folder) as path:
        yield path
