"""The machine and the versions a run measured, so that a result can be read in context."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
from pathlib import Path

PACKAGES = (
    "boto3",
    "botocore",
    "aws-lambda-powertools",
    "pydantic",
    "pydantic-core",
    "PyYAML",
    "moto",
    "orjson",
)


def machine() -> dict[str, str]:
    return {
        "CPU": _cpu_model(),
        "Cores": str(os.cpu_count() or "?"),
        "Memory": _memory(),
        "OS": _os_name(),
        "Architecture": platform.machine(),
    }


def versions() -> dict[str, str]:
    found = {"Python": f"{platform.python_implementation()} {platform.python_version()}"}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["jq"] = _jq_version()
    return found


def _cpu_model() -> str:
    info = Path("/proc/cpuinfo")
    if info.exists():
        for line in info.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _memory() -> str:
    info = Path("/proc/meminfo")
    if info.exists():
        for line in info.read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.1f} GiB"
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return "unknown"
    return f"{pages * size / 1024**3:.1f} GiB"


def _os_name() -> str:
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))} (kernel {platform.release()})"
    return platform.platform()


def _jq_version() -> str:
    jq = shutil.which("jq")
    if not jq:
        return "not installed"
    done = subprocess.run([jq, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return done.stdout.strip() or "unknown"
