"""`python -m bench.run`: every measurement, the budgets checked, the results written.

Writes `results.json` to the output folder and the report to `docs/performance.md` (or
`--doc`). `--smoke` runs everything at tiny sizes with single runs, to keep the benchmark
working (the test suite does this); its timings mean nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import big_reports, budgets, cold_start, document, machine
from bench.sandbox import Interpreter, current_interpreter, layer_interpreter

REPOSITORY = Path(__file__).resolve().parents[1]
_SMOKE_WORKERS = 2


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]
    cold_runs: int
    report_runs: int
    site: str
    smoke: bool
    out: Path
    doc: Path


@dataclass(frozen=True)
class Defaults:
    sizes: tuple[int, ...]
    cold_runs: int
    report_runs: int
    site: str


FULL = Defaults(sizes=(2_000, 20_000), cold_runs=15, report_runs=7, site="layer")
SMOKE = Defaults(sizes=(40, 400), cold_runs=1, report_runs=1, site="project")


def parse_arguments(arguments: Sequence[str]) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, single runs")
    parser.add_argument("--out", type=Path, help="output folder (default bench/out)")
    parser.add_argument("--doc", type=Path, help="report path (default docs/performance.md)")
    parser.add_argument("--sizes", help="report sizes in vulnerabilities, e.g. 2000,20000")
    parser.add_argument("--cold-runs", type=int, help="fresh processes per cold-start candidate")
    parser.add_argument("--report-runs", type=int, help="timed runs per engine and report")
    parser.add_argument(
        "--site",
        choices=("layer", "project"),
        help="cold starts in a folder holding only the layer's packages, or in this environment",
    )
    given = parser.parse_args(arguments)
    defaults = SMOKE if given.smoke else FULL
    out = given.out or REPOSITORY / "bench" / "out" / ("smoke" if given.smoke else "")
    if given.doc:
        doc = given.doc
    else:
        # A smoke run's timings mean nothing: its report never replaces the real one.
        doc = out / "performance.md" if given.smoke else REPOSITORY / "docs" / "performance.md"
    sizes = tuple(int(size) for size in given.sizes.split(",")) if given.sizes else None
    return Settings(
        sizes=sizes or defaults.sizes,
        cold_runs=given.cold_runs or defaults.cold_runs,
        report_runs=given.report_runs or defaults.report_runs,
        site=given.site or defaults.site,
        smoke=given.smoke,
        out=out.resolve(),
        doc=doc.resolve(),
    )


def _say(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


def _interpreter(settings: Settings) -> tuple[Interpreter, str]:
    if settings.site == "layer":
        try:
            return layer_interpreter(REPOSITORY, settings.out), ""
        except RuntimeError as error:
            note = f"{error}; measured in the project environment instead"
            _say(note)
            return current_interpreter(settings.out), note
    return current_interpreter(settings.out), ""


def _child(module: str, *arguments: str) -> str:
    """What `python -m module arguments…` printed; its error output when it failed."""
    done = subprocess.run(  # noqa: S603 - this interpreter running the bench's own module
        [sys.executable, "-m", module, *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPOSITORY,
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -m {module} failed:\n{done.stderr}")
    return done.stdout


def measure(settings: Settings) -> dict[str, Any]:
    """Every measurement. A full run takes them one after the other, so that none disturbs
    another's timing; a smoke run takes them side by side, since its timings mean nothing."""
    settings.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "smoke": settings.smoke,
        "machine": machine.machine(),
        "versions": machine.versions(),
    }
    _say(f"generating reports of {', '.join(f'{s:,}' for s in settings.sizes)} vulnerabilities")
    files = big_reports.write_reports(settings.out / "reports", list(settings.sizes))

    stages = [
        lambda: _cold_start(settings),
        lambda: _reports(settings, files),
        lambda: _aws_calls(settings),
    ]
    with ThreadPoolExecutor(max_workers=len(stages) if settings.smoke else 1) as pool:
        for found in pool.map(lambda stage: stage(), stages):
            results.update(found)
    return results


def _cold_start(settings: Settings) -> dict[str, Any]:
    interpreter, note = _interpreter(settings)
    _say(f"cold start: {settings.cold_runs} runs per candidate ({interpreter.site})")
    measured = cold_start.measure(
        interpreter,
        runs=settings.cold_runs,
        warm_up=not settings.smoke,
        workers=_SMOKE_WORKERS if settings.smoke else 1,
    )
    return {"cold_start": measured | {"note": note}}


def _reports(settings: Settings, files: list[dict[str, Any]]) -> dict[str, Any]:
    _say(f"big reports: {settings.report_runs} runs per engine and report")
    timings = big_reports.time_engines(files, runs=settings.report_runs, repository=REPOSITORY)
    for report in files:
        report["findings"] = timings[big_reports.GUARD][report["name"]]["outcome"]["findings"]
    _say("memory and message sizes")
    return {
        "reports": {"files": files, "runs": settings.report_runs, "timings": timings},
        "memory": big_reports.peak_memory(files[-1], repository=REPOSITORY),
        "messages": json.loads(_child("bench.message_sizes", files[-1]["path"])),
    }


def _aws_calls(settings: Settings) -> dict[str, Any]:
    _say("AWS calls per event (moto)")
    parts = _SMOKE_WORKERS if settings.smoke else 1
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(parts) as pool:
        outputs = [Path(folder) / f"calls-{part}.json" for part in range(parts)]
        list(
            pool.map(
                lambda part: _child("bench.aws_calls", str(outputs[part]), f"{part}/{parts}"),
                range(parts),
            )
        )
        found = [entry for output in outputs for entry in json.loads(output.read_text())]
    return {"aws_calls": sorted(found, key=lambda entry: entry["position"])}


def main(arguments: Sequence[str] | None = None) -> int:
    settings = parse_arguments(sys.argv[1:] if arguments is None else arguments)
    started = time.perf_counter()
    results = measure(settings)
    checks = budgets.check_all(results)
    results["checks"] = [check.as_dict() for check in checks]
    (settings.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    settings.doc.parent.mkdir(parents=True, exist_ok=True)
    settings.doc.write_text(document.render(results, checks))
    missed = sum(check.status is budgets.Status.MISSED for check in checks)
    _say(
        f"done in {time.perf_counter() - started:.0f} s: {len(checks)} checks, {missed} missed; "
        f"wrote {settings.doc} and {settings.out / 'results.json'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
