"""Cold start: each handler in a fresh interpreter, against `import boto3` and the same clients.

Every run is a new Python process. The time is measured inside it with `time.perf_counter`,
from just before the first import to just after the last client is created, so interpreter
start-up (the same for everyone) is left out; the whole process is timed too, as a check.
Candidates run in turns (baseline, handler, baseline, …) so that a slow moment of the machine
is shared, after one untimed round that fills the operating system's file cache.

For each handler two things are timed against the same baseline:

- **import + clients**: `import ecr_guard.handlers.<name>`, then the boto3 clients the
  handler's first event creates, through its own client factory;
- **cold start to first call**: the same plus the handler's one-time set-up (settings, policy
  read and validated, adapters), which Lambda runs on the first event of an environment.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import import_tree
from bench.sandbox import Interpreter

REGION = "us-east-1"
ACCOUNT = "123456789012"

ENVIRONMENT = {
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_LAMBDA_FUNCTION_NAME": "ecr-guard-bench",
    "POWERTOOLS_SERVICE_NAME": "ecr-guard",
    "POWERTOOLS_METRICS_NAMESPACE": "EcrGuard",
    "ECR_GUARD_TABLE": "ecr-guard-ledger",
    "ECR_GUARD_TOPIC_ARN": f"arn:aws:sns:{REGION}:{ACCOUNT}:ecr-guard-decisions",
    "ECR_GUARD_REPORTS_BUCKET": "ecr-guard-reports",
    "ECR_GUARD_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/ecr-guard-queue",
    "ECR_GUARD_SLACK_WEBHOOK_SECRET": (
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-guard/slack-AbCdEf"
    ),
}
"""What every child runs with: a deployment's settings, and no AWS configuration of the user."""


@dataclass(frozen=True)
class Handler:
    name: str
    module: str
    services: tuple[str, ...]
    build: str | None
    """Code that runs the handler's one-time set-up with `factory` as its client factory."""
    libraries: str | None = None
    """Imports of the libraries the design prescribes for the handler, and nothing of ours."""


_MODEL = """\
from pydantic import BaseModel
class Probe(BaseModel):
    name: str
Probe(name="built")
"""
_POWERTOOLS = "from aws_lambda_powertools import Logger, Metrics\n"


HANDLERS = (
    Handler(
        name="guard",
        module="ecr_guard.handlers.guard",
        services=("ecr", "dynamodb", "sns", "s3"),
        build=(
            "from ecr_guard.guard.wiring import build_guard\n"
            "build_guard(os.environ, account=ACCOUNT, metrics=metrics, clients=factory)\n"
        ),
        libraries=(
            _MODEL
            + _POWERTOOLS
            + "from aws_lambda_powertools.utilities.batch import BatchProcessor\n"
            + "from aws_lambda_powertools.utilities.idempotency import idempotent_function\n"
            + "import yaml\n"
        ),
    ),
    Handler(
        name="push_recorder",
        module="ecr_guard.handlers.push_recorder",
        services=("ecr", "dynamodb", "sqs"),
        build=(
            "from ecr_guard.guard.recorder_wiring import build_push_recorder\n"
            "build_push_recorder(os.environ, account=ACCOUNT, metrics=metrics, clients=factory)\n"
        ),
        libraries=_MODEL + _POWERTOOLS,
    ),
    Handler(
        name="slack_notifier",
        module="ecr_guard.handlers.slack_notifier",
        services=("secretsmanager",),
        build=(
            "from ecr_guard.notify.wiring import build_notifier\n"
            "build_notifier(os.environ, metrics=metrics, clients=factory)\n"
        ),
        libraries=(
            _MODEL + _POWERTOOLS + "from aws_lambda_powertools.utilities import parameters\n"
        ),
    ),
)

_CHILD = """\
import sys, time
sys.path[:0] = {path!r}
ACCOUNT, REGION = {account!r}, {region!r}
started = time.perf_counter()
{body}
finished = time.perf_counter()
import json
print(json.dumps({{"seconds": finished - started, "modules": len(sys.modules)}}))
"""

_BASELINE = """\
import boto3
for service in {services!r}:
    boto3.client(service, region_name=REGION)
"""

_HANDLER = """\
import os
import {module} as handler
from ecr_guard.adapters.clients import ClientFactory
factory = ClientFactory()
{build}for service in {services!r}:
    getattr(factory, service)(REGION)
"""

_BUILD_PREFIX = (
    "from ecr_guard.guard.telemetry import PowertoolsMetrics\n"
    "metrics = PowertoolsMetrics(handler.metrics)\n"
)


_BARE = "bare interpreter"
BASELINE_LABEL = "import boto3 + clients"
LIBRARIES_LABEL = "boto3 + clients + the prescribed libraries alone"
"""Not a budget: how much of the handler's cost the design's libraries take by themselves."""


@dataclass(frozen=True)
class Candidate:
    key: str
    handler: str
    label: str
    code: str


def available_handlers() -> list[Handler]:
    """The handlers that exist in this tree (the Slack notifier may not be built yet)."""
    return [handler for handler in HANDLERS if importlib.util.find_spec(handler.module)]


def candidates(handler: Handler) -> list[Candidate]:
    """Baseline first, then the handler's import; then its set-up and its libraries alone."""
    baseline = _BASELINE.format(services=handler.services)
    found = [
        Candidate(f"{handler.name}:baseline", handler.name, BASELINE_LABEL, baseline),
        Candidate(
            f"{handler.name}:import",
            handler.name,
            "import + clients",
            _HANDLER.format(module=handler.module, build="", services=handler.services),
        ),
    ]
    if handler.build:
        found.append(
            Candidate(
                f"{handler.name}:init",
                handler.name,
                "cold start to first call",
                _HANDLER.format(
                    module=handler.module,
                    build=_BUILD_PREFIX + handler.build,
                    services=handler.services,
                ),
            )
        )
    if handler.libraries:
        found.append(
            Candidate(
                f"{handler.name}:libraries",
                handler.name,
                LIBRARIES_LABEL,
                handler.libraries + baseline,
            )
        )
    return found


def _script(interpreter: Interpreter, body: str) -> str:
    return _CHILD.format(path=interpreter.path, account=ACCOUNT, region=REGION, body=body)


def _run(interpreter: Interpreter, code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter running our own code
        [*interpreter.command, *flags, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=interpreter.environment(ENVIRONMENT),
        cwd=interpreter.workdir,
    )


@dataclass(frozen=True)
class Sample:
    """One fresh run: seconds inside the process, seconds of the whole process, modules loaded,
    and the `-X importtime` log when it was asked for."""

    seconds: float
    wall: float
    modules: int
    importtime: str


_IMPORTTIME = ("-X", "importtime")


def _timed(interpreter: Interpreter, code: str, flags: tuple[str, ...] = ()) -> Sample:
    started = time.perf_counter()
    done = _run(interpreter, code, *flags)
    wall = time.perf_counter() - started
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return Sample(float(answer["seconds"]), wall, int(answer["modules"]), done.stderr)


def measure(
    interpreter: Interpreter, *, runs: int, warm_up: bool = True, workers: int = 1
) -> dict[str, Any]:
    """Medians of `runs` fresh runs per candidate, ratios to each handler's baseline, and what
    each handler's import loads beyond the baseline.

    `workers` > 1 runs candidates side by side and reads the import lists from the timed runs:
    faster, and useless as a timing (smoke runs). Otherwise the import lists come from runs of
    their own, since `-X importtime` slows down what it measures.
    """
    handlers = available_handlers()
    every = [candidate for handler in handlers for candidate in candidates(handler)]
    scripts = {candidate.key: _script(interpreter, candidate.code) for candidate in every}
    scripts[_BARE] = _script(interpreter, "pass")
    listed = [f"{handler.name}:{kind}" for handler in handlers for kind in ("baseline", "import")]
    samples: dict[str, list[Sample]] = {key: [] for key in scripts}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        flags = _IMPORTTIME if workers > 1 else ()
        for round_number in range(runs + (1 if warm_up else 0)):
            answers = pool.map(lambda script: _timed(interpreter, script, flags), scripts.values())
            if not warm_up or round_number > 0:
                for key, answer in zip(scripts, answers, strict=True):
                    samples[key].append(answer)
        if flags:
            logs = {key: samples[key][-1].importtime for key in listed}
        else:
            logs = dict(
                zip(
                    listed,
                    pool.map(
                        lambda key: _timed(interpreter, scripts[key], _IMPORTTIME).importtime,
                        listed,
                    ),
                    strict=True,
                )
            )
    bare = statistics.median(sample.wall for sample in samples.pop(_BARE))
    return {
        "interpreter": interpreter.describe(),
        "runs": runs,
        "bare_interpreter_ms": round(bare * 1000, 1),
        "rows": [_row(candidate, samples, bare) for candidate in every],
        "imports": {handler.name: _imports(handler, logs) for handler in handlers},
        "missing_handlers": [h.name for h in HANDLERS if h not in handlers],
    }


def _row(candidate: Candidate, samples: dict[str, list[Sample]], bare: float) -> dict[str, Any]:
    mine, baseline = samples[candidate.key], samples[f"{candidate.handler}:baseline"]
    inside = statistics.median(sample.seconds for sample in mine)
    inside_baseline = statistics.median(sample.seconds for sample in baseline)
    wall = statistics.median(sample.wall for sample in mine) - bare
    wall_baseline = statistics.median(sample.wall for sample in baseline) - bare
    return {
        "handler": candidate.handler,
        "candidate": candidate.label,
        "baseline": candidate.key.endswith(":baseline"),
        "budgeted": candidate.key.endswith((":import", ":init")),
        "median_ms": round(inside * 1000, 1),
        "ratio": round(inside / inside_baseline, 2),
        "process_ms": round(wall * 1000, 1),
        "process_ratio": round(wall / wall_baseline, 2),
        "modules": mine[-1].modules,
        "runs": len(mine),
    }


def _imports(handler: Handler, logs: dict[str, str]) -> dict[str, Any]:
    """What the handler's import loads beyond its baseline's, from their `-X importtime` logs."""
    loaded = import_tree.parse_importtime(logs[f"{handler.name}:import"])
    baseline = import_tree.parse_importtime(logs[f"{handler.name}:baseline"])
    return {
        "extra_by_package": import_tree.extra_by_package(loaded, baseline),
        "conditional": import_tree.conditional_imports(handler.name, loaded),
        "forbidden": import_tree.forbidden_imports(loaded),
    }


def main(arguments: Sequence[str]) -> int:
    """`python -m bench.cold_start [RUNS]`: print the measurement as JSON (for a quick look)."""
    from bench.sandbox import current_interpreter  # noqa: PLC0415

    runs = int(arguments[0]) if arguments else 3
    sys.stdout.write(json.dumps(measure(current_interpreter(Path.cwd()), runs=runs), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
