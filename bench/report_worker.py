"""One engine judging report files, in a process of its own: timings, or peak memory.

`python -m bench.report_worker time ENGINE RUNS FILE…` prints, per file, the seconds of each run
(after one untimed run) from the file's bytes on disk to the verdict, and the outcome.
`python -m bench.report_worker memory ENGINE FILE` prints the peak resident memory while
judging one file, and the resident memory after the imports.

Engines: `ecr-guard` (parse_report + evaluate with the default policy), `json-loop`
(`json.loads` + the plain loop), `orjson-loop` (`orjson.loads` + the plain loop).
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ENGINES = ("ecr-guard", "json-loop", "orjson-loop")
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
PHASES = "phases"
"""Seconds spent parsing and evaluating, within one timed run (not part of the outcome)."""
"""The evaluation time: fixed, so that every run judges alike."""

Judge = Callable[[bytes, str], dict[str, Any]]


def engine(name: str) -> Judge:
    """The engine's judging function; its imports and set-up happen here, untimed."""
    if name == "ecr-guard":
        from ecr_guard.findings.load import parse_report  # noqa: PLC0415
        from ecr_guard.policy.evaluate import evaluate  # noqa: PLC0415
        from ecr_guard.policy.load import default_policy  # noqa: PLC0415

        policy = default_policy()

        def judge(data: bytes, origin: str) -> dict[str, Any]:
            started = time.perf_counter()
            report = parse_report(data, origin=origin)
            parsed = time.perf_counter()
            decision = evaluate(report, policy, now=NOW)
            return {
                "verdict": decision.verdict.value,
                "findings": decision.counts.total,
                "rules": {rule.rule_id: len(rule.findings) for rule in decision.rules},
                PHASES: {"parse": parsed - started, "evaluate": time.perf_counter() - parsed},
            }

        return judge
    from bench.plain_policy import plain_policy  # noqa: PLC0415

    if name == "json-loop":
        loads: Callable[[bytes], Any] = json.loads
    elif name == "orjson-loop":
        import orjson  # noqa: PLC0415

        loads = orjson.loads
    else:
        raise SystemExit(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")

    def loop(data: bytes, origin: str) -> dict[str, Any]:
        del origin
        started = time.perf_counter()
        document = loads(data)
        parsed = time.perf_counter()
        outcome = plain_policy(document)
        return outcome | {
            PHASES: {"parse": parsed - started, "evaluate": time.perf_counter() - parsed}
        }

    return loop


SAMPLE_SECONDS = 0.3
"""A small report is judged again until this much time is spent (or `MAX_RUNS` runs), so that
its median rests on enough samples; a large one once."""
MAX_RUNS = 20


def time_files(judge: Judge, runs: int, paths: list[Path]) -> dict[str, Any]:
    timings = {}
    for path in paths:
        outcome = judge(path.read_bytes(), str(path))
        seconds: list[float] = []
        while len(seconds) < runs or (sum(seconds) < SAMPLE_SECONDS and len(seconds) < MAX_RUNS):
            started = time.perf_counter()
            outcome = judge(path.read_bytes(), str(path))
            seconds.append(time.perf_counter() - started)
        phases = outcome.pop(PHASES)
        timings[path.name] = {"seconds": seconds, "outcome": outcome, PHASES: phases}
    return timings


def peak_memory(judge: Judge, path: Path) -> dict[str, Any]:
    gc.collect()
    before_peak = _peak_bytes()
    data = path.read_bytes()
    outcome = judge(data, str(path))
    outcome.pop(PHASES)
    return {
        "file_bytes": len(data),
        "after_imports_bytes": before_peak,
        "peak_bytes": _peak_bytes(),
        "outcome": outcome,
    }


_STATUS = Path("/proc/self/status")


def _peak_bytes() -> int:
    """The process's peak resident memory so far.

    On Linux, VmHWM: `ru_maxrss` would start from the parent's size, since Linux carries the
    peak of the forked copy across `exec`. Elsewhere `ru_maxrss` (bytes on macOS).
    """
    if _STATUS.exists():
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def main(arguments: list[str]) -> int:
    task, name, *rest = arguments
    judge = engine(name)
    if task == "time":
        runs, files = int(rest[0]), [Path(item) for item in rest[1:]]
        result = time_files(judge, runs, files)
    elif task == "memory":
        result = peak_memory(judge, Path(rest[0]))
    else:
        raise SystemExit(f"unknown task {task!r}: time or memory")
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
