"""The Python a child process runs: the project's environment, or one shaped like the layer.

A Lambda function imports from its layer (`layers/core/requirements.txt` plus the `ecr_guard`
package) and from the runtime's own boto3, nothing else. The project's virtual environment
holds much more (moto, typer, test tools), which changes what some imports cost: pydantic, for
one, scans every installed distribution for plugins. So cold starts are measured in a site
folder holding only the layer's requirements and boto3, at the versions installed here, run
with `-S` (no site-packages); when that folder cannot be built (no network), in the project's
environment, and the report says which.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_PIP = (sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check")
_RUNTIME_PACKAGES = ("boto3", "botocore")
LAYER_SITE_NAME = "layer-like site folder"
"""What the Lambda Python runtime provides besides the layer."""


@dataclass(frozen=True)
class Interpreter:
    """How to start a child: its command, the folders it imports from, where it runs."""

    site: str
    command: tuple[str, ...]
    path: tuple[str, ...] = ()
    workdir: Path = field(default_factory=Path.cwd)
    packages: tuple[str, ...] = ()

    def environment(self, extra: Mapping[str, str]) -> dict[str, str]:
        """A clean environment: no PYTHON*, no AWS profile of the user, plus `extra`."""
        passed = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
        return passed | dict(extra)

    def describe(self) -> dict[str, object]:
        return {
            "site": self.site,
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "packages": list(self.packages),
        }


def current_interpreter(workdir: Path) -> Interpreter:
    """This interpreter and its environment (the project's .venv under `make`)."""
    return Interpreter(site="project environment", command=(sys.executable, "-E"), workdir=workdir)


def layer_requirements(repository: Path) -> list[str]:
    """The layer's requirements and the runtime's boto3, pinned to the versions installed here."""
    text = (repository / "layers" / "core" / "requirements.txt").read_text()
    names = [match.group(1) for line in text.splitlines() if (match := _NAME.match(line))]
    return [f"{name}=={importlib.metadata.version(name)}" for name in (*names, *_RUNTIME_PACKAGES)]


def layer_interpreter(repository: Path, out: Path) -> Interpreter:
    """A child that sees only the layer's packages and the package source (built once).

    Raises `RuntimeError` naming pip's complaint when the folder cannot be built.
    """
    pins = layer_requirements(repository)
    digest = hashlib.sha256("\n".join(pins).encode()).hexdigest()[:12]
    site = out / f"layer-site-{digest}"
    if not (site / ".complete").exists():
        building = out / f"layer-site-{digest}.building"
        shutil.rmtree(building, ignore_errors=True)
        done = subprocess.run(  # noqa: S603 - pip of this interpreter, pinned requirements
            [*_PIP, "--target", str(building), *pins],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            complaint = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise RuntimeError(f"cannot build the layer-like site folder: {complaint}")
        shutil.rmtree(site, ignore_errors=True)
        building.rename(site)
        (site / ".complete").touch()
    return Interpreter(
        site=LAYER_SITE_NAME,
        command=(sys.executable, "-S", "-E"),
        path=(str(site), str(repository / "layers" / "core")),
        workdir=out,
        packages=tuple(pins),
    )
