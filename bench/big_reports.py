"""Big reports: ecr-guard against `json.loads`/`orjson.loads` with a plain loop, and against jq.

Each Python engine judges the generated reports in a process of its own (`bench.report_worker`),
timed from the file's bytes on disk to the verdict, after one untimed run; jq is timed as a
whole process, since that is how it is used. Before any time is compared, every engine must
reach the same verdict and the same number of findings per rule on every report: otherwise the
benchmark stops, because a faster wrong answer proves nothing.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.plain_policy import JQ_PROGRAM
from bench.trivy_report import generate_report

GUARD = "ecr-guard"
JSON_LOOP = "json-loop"
ORJSON_LOOP = "orjson-loop"
JQ = "jq"


class DisagreementError(RuntimeError):
    """Two engines judged the same report differently."""


def write_reports(folder: Path, sizes: list[int]) -> list[dict[str, Any]]:
    """The generated reports, written to `folder`, with their sizes and SHA-256."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for size in sizes:
        report = generate_report(size)
        path = folder / f"trivy-{size}.json"
        path.write_bytes(report.data)
        written.append(
            {
                "name": path.name,
                "vulnerabilities": size,
                "secrets": report.secrets,
                "path": str(path),
                "bytes": len(report.data),
                "sha256": report.sha256,
            }
        )
    return written


def python_engines() -> list[str]:
    """The Python engines this environment can run (orjson is optional)."""
    engines = [GUARD, JSON_LOOP]
    if importlib.util.find_spec("orjson") is not None:
        engines.append(ORJSON_LOOP)
    return engines


def jq_command() -> str | None:
    return shutil.which("jq")


def time_engines(reports: list[dict[str, Any]], *, runs: int, repository: Path) -> dict[str, Any]:
    """Per engine and report: the median seconds and the outcome, checked to agree.

    Engines take turns, round after round, each round in fresh processes, so that a busy moment
    of the machine falls on all of them alike rather than on whichever ran then.
    """
    paths = [Path(report["path"]) for report in reports]
    engines = python_engines()
    jq = jq_command()
    if jq:
        engines.append(JQ)
    seconds: dict[str, dict[str, list[float]]] = {
        engine: {path.name: [] for path in paths} for engine in engines
    }
    outcomes: dict[str, dict[str, dict[str, Any]]] = {engine: {} for engine in engines}
    phases: dict[str, dict[str, list[dict[str, float]]]] = {
        engine: {path.name: [] for path in paths} for engine in engines
    }
    for _ in range(runs):
        for engine in engines:
            found = (
                _time_jq(jq, paths)
                if engine == JQ and jq
                else _time_python(engine, paths, repository)
            )
            for name, (elapsed, outcome, split) in found.items():
                seconds[engine][name].append(elapsed)
                outcomes[engine][name] = outcome
                if split:
                    phases[engine][name].append(split)
    results = {
        engine: {
            name: {
                "median_s": statistics.median(times),
                "runs": len(times),
                "outcome": outcomes[engine][name],
                "phases": _median_phases(phases[engine][name]),
            }
            for name, times in per_file.items()
        }
        for engine, per_file in seconds.items()
    }
    _check_agreement(results)
    return results


Timed = dict[str, tuple[float, dict[str, Any], dict[str, float] | None]]
"""Per report: seconds, outcome, and seconds per phase (parse, evaluate) when known."""


def _median_phases(runs: list[dict[str, float]]) -> dict[str, float] | None:
    if not runs:
        return None
    return {phase: statistics.median(run[phase] for run in runs) for phase in runs[0]}


def _time_python(engine: str, paths: list[Path], repository: Path) -> Timed:
    """The median of a report's timed runs (one, or more for a small report), after one
    untimed run, in a fresh process."""
    done = subprocess.run(  # noqa: S603 - this interpreter running the bench's own worker
        [sys.executable, "-m", "bench.report_worker", "time", engine, "1", *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        cwd=repository,
    )
    return {
        name: (statistics.median(entry["seconds"]), entry["outcome"], entry["phases"])
        for name, entry in json.loads(done.stdout).items()
    }


def _time_jq(jq: str, paths: list[Path]) -> Timed:
    """One run of jq per report, timed as a whole process."""
    found: Timed = {}
    for path in paths:
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - jq on a file this benchmark wrote
            [jq, "-c", JQ_PROGRAM, str(path)], capture_output=True, text=True, check=True
        )
        found[path.name] = (time.perf_counter() - started, json.loads(done.stdout), None)
    return found


def _check_agreement(results: dict[str, dict[str, Any]]) -> None:
    reference = results[GUARD]
    for name, per_report in results.items():
        for report, entry in per_report.items():
            expected = _comparable(reference[report]["outcome"])
            if _comparable(entry["outcome"]) != expected:
                raise DisagreementError(
                    f"{name} judged {report} as {entry['outcome']}, ecr-guard as {expected}"
                )


def _comparable(outcome: dict[str, Any]) -> dict[str, Any]:
    """Verdict, findings counted, and findings per rule that matched at least one."""
    rules = {rule: count for rule, count in outcome["rules"].items() if count}
    return {"verdict": outcome["verdict"], "findings": outcome["findings"], "rules": rules}


def peak_memory(report: dict[str, Any], *, repository: Path) -> dict[str, Any]:
    """Each Python engine's peak resident memory judging `report`, in a fresh process."""
    measured = {}
    for name in python_engines():
        done = subprocess.run(  # noqa: S603 - this interpreter running the bench's own worker
            [sys.executable, "-m", "bench.report_worker", "memory", name, report["path"]],
            capture_output=True,
            text=True,
            check=True,
            cwd=repository,
        )
        found = json.loads(done.stdout)
        size = found["file_bytes"]
        measured[name] = {
            "file_mb": round(size / 1e6, 1),
            "after_imports_mb": round(found["after_imports_bytes"] / 1e6, 1),
            "peak_mb": round(found["peak_bytes"] / 1e6, 1),
            "increase_multiple": round(
                (found["peak_bytes"] - found["after_imports_bytes"]) / size, 2
            ),
            "peak_multiple": round(found["peak_bytes"] / size, 2),
        }
    return measured
