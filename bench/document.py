"""docs/performance.md, written from one run's results: summary, context, method, details."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.budgets import Check, Status
from bench.causes import cause_of
from bench.import_tree import FORBIDDEN
from bench.sandbox import LAYER_SITE_NAME

HEADER = """\
# Performance

A guard that runs on every push must cost close to nothing and never be the slow part. This page
holds ecr-guard to that, side by side with the obvious alternatives, measured in one run on one
machine. It is written by `make bench`; do not edit it by hand, re-run the benchmark instead.
"""

METHOD = """\
## Method

Everything is a ratio of two things measured in the same run on the same machine, each the
median of several runs; absolute times differ from one machine to another, ratios much less.

- **Cold start.** Each candidate runs in a new Python process, {cold_runs} times, in turns with
  the others (after one untimed round that warms the file cache). The time is taken inside the
  process with `time.perf_counter`, from before the first import to after the last client is
  created, so the interpreter's own start-up is left out; the whole process, minus a bare
  interpreter's start-up ({bare_ms:.0f} ms), is shown beside it as a check. The baseline of each
  handler is `import boto3` plus `boto3.client(service, region_name=…)` for the services the
  handler's first event uses; "import + clients" is the handler's import plus the same clients
  from its own client factory; "cold start to first call" adds the handler's one-time set-up
  (settings, policy read and validated, adapters); "the prescribed libraries alone" imports
  what the design prescribes for the handler (pydantic, Powertools, PyYAML) without any
  ecr-guard code, to show how much of the budget they take. Interpreter: {site}, Python
  {python} (Lambda runs 3.13 on arm64: absolute times differ, ratios much less). {site_note}
  `python -X importtime` lists what each import loads beyond the baseline.
- **Big reports.** Trivy reports generated deterministically (`bench/trivy_report.py`: the
  shape of Trivy 0.70 `--format json` for a Debian image with Python, Node.js and Java
  packages; severities, fix statuses, descriptions and references in the proportions of
  published reports; SHA-256 below). Each engine judges each report with the default policy:
  ecr-guard (`parse_report` + `evaluate`); `json.loads` (and `orjson.loads` when installed)
  with a plain loop applying the same policy (`bench/plain_policy.py`); jq with the same
  filter. {report_runs} rounds; in each round every engine runs in turn, in a fresh process:
  per report one untimed run, then timed runs (one, or for a small report as many as fit in
  0.3 s, their median counting once), from the file's bytes on disk to the verdict (jq once,
  as a whole process). ecr-guard pauses Python's cyclic garbage collector while it
  parses and evaluates (reference counting still frees everything); the loop runs as written.
  The benchmark stops unless all engines reach the same verdict and the same findings per rule.
- **Memory.** A fresh process imports the engine, then reads and judges the largest report;
  the growth of its peak resident memory (Linux `VmHWM`, elsewhere `ru_maxrss`) over the peak
  after the imports is divided by the file's size.
- **AWS calls.** The functions run in-process on moto (the integration tests' stack, with
  DescribeImageScanFindings paged as ECR pages it), each scenario in a fresh account and a cold
  execution environment; a botocore `before-parameter-build` hook counts every API call of the
  delivery, each page included, against the minimum defined below.
- **Messages.** The SNS message built for the default policy's decision on the largest
  report, with a performed quarantine, measured as SNS counts it (message and attributes).
"""

RERUN = """\
## Re-running

```sh
make bench          # this page and bench/out/results.json; a few minutes
make bench-smoke    # every measurement at tiny sizes, into bench/out/smoke (as the tests do)
```

`python -m bench.run --help` lists the options (sizes, runs, interpreter).
"""


def render(results: dict[str, Any], checks: list[Check]) -> str:
    cold = results["cold_start"]
    parts = [
        HEADER,
        f"Run on {results['generated_at']}"
        + (" (smoke run: tiny sizes, single runs)." if results["smoke"] else "."),
        _summary(checks),
        _context(results),
        METHOD.format(
            cold_runs=cold["runs"],
            bare_ms=cold["bare_interpreter_ms"],
            site=cold["interpreter"]["site"],
            site_note=_site_note(cold),
            python=cold["interpreter"]["python"],
            report_runs=results["reports"]["runs"],
        ),
        _cold_start(cold),
        _reports(results["reports"]),
        _memory(results["memory"]),
        _aws_calls(results["aws_calls"]),
        _messages(results["messages"]),
        _limitations(checks, results),
        RERUN,
    ]
    return "\n".join(part.rstrip() + "\n" for part in parts)


LAYER_SITE = (
    "The layer-like site folder holds only `layers/core/requirements.txt` and boto3, at the\n"
    "  versions above, and children run with `-S`, as a function imports only from its layer\n"
    "  and its runtime."
)


def _site_note(cold: dict[str, Any]) -> str:
    if cold["interpreter"]["site"] == LAYER_SITE_NAME:
        return LAYER_SITE
    note = cold.get("note")
    return f"Measured in the project's environment{f' ({note})' if note else ''}."


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _summary(checks: list[Check]) -> str:
    counts = Counter(check.status for check in checks)
    tally = ", ".join(f"{counts[status]} {status.value}" for status in Status if counts[status])
    rows = [
        [check.section, check.what, check.measured, check.budget, _status(check)]
        for check in checks
    ]
    return (
        f"## Budgets\n\n{tally}.\n\n"
        + _table(["Area", "Check", "Measured", "Budget", "Result"], rows)
        + "\n"
    )


def _status(check: Check) -> str:
    text = f"**{check.status.value}**" if check.status is Status.MISSED else check.status.value
    return f"{text}: {check.note}" if check.note else text


def _context(results: dict[str, Any]) -> str:
    machine = results["machine"]
    rows = [[name, value] for name, value in {**machine, **results["versions"]}.items()]
    return "## Machine and versions\n\n" + _table(["Item", "Value"], rows) + "\n"


def _cold_start(cold: dict[str, Any]) -> str:
    rows = [
        [
            row["handler"],
            row["candidate"],
            f"{row['median_ms']:.0f}",
            f"{row['ratio']:.2f}x",
            f"{row['process_ms']:.0f}",
            f"{row['process_ratio']:.2f}x",
            str(row["modules"]),
        ]
        for row in cold["rows"]
    ]
    text = (
        "## Cold start\n\n"
        + _table(
            [
                "Handler",
                "Candidate",
                "Median ms",
                "x baseline",
                "Process ms",
                "x baseline",
                "Modules",
            ],
            rows,
        )
        + "\n"
    )
    for handler, found in cold["imports"].items():
        text += f"\n### What `{handler}` loads beyond boto3\n\n"
        text += "Own import time of the modules the baseline does not load, by package:\n\n"
        packages = [
            [entry["package"], f"{entry['ms']:.1f}", str(entry["modules"])]
            for entry in found["extra_by_package"]
            if entry["ms"] >= 1.0
        ]
        text += _table(["Package", "ms", "Modules"], packages) + "\n\n"
        text += (
            "Modules the handler needs on few of its paths or on none, and whether its import "
            "loads them:\n\n"
        )
        conditional = [
            [
                f"`{entry['module']}`",
                "yes" if entry["loaded"] else "no",
                f"{entry['ms']:.1f}" if entry["ms"] is not None else "—",
                f"`{entry['imported_by']}`" if entry["imported_by"] else "—",
                entry["needed_for"],
            ]
            for entry in found["conditional"]
        ]
        text += (
            _table(["Module", "Loaded", "ms with imports", "Imported by", "Needed"], conditional)
            + "\n\n"
        )
        banned = ", ".join(f"`{name}`" for name in FORBIDDEN)
        loaded = found["forbidden"]
        text += (
            f"Never loaded by a handler ({banned}): "
            + ("none loaded." if not loaded else "**loaded: " + ", ".join(loaded) + "**.")
            + "\n"
        )
    return text


def _reports(reports: dict[str, Any]) -> str:
    files = reports["files"]
    rows = [
        [
            f"{report['vulnerabilities']:,}",
            str(report["secrets"]),
            f"{report['findings']:,}",
            f"{report['bytes'] / 1e6:.1f}",
            f"`{report['sha256'][:16]}`",
        ]
        for report in files
    ]
    text = (
        "## Big reports\n\n"
        + _table(
            ["Vulnerabilities", "Secrets", "Findings counted", "MB", "SHA-256 (first 16)"], rows
        )
        + "\n\n"
    )
    timings = reports["timings"]
    guard = timings["ecr-guard"]
    header = ["Engine"] + [f"{f['vulnerabilities']:,} (s)" for f in files]
    header += [f"{files[-1]['vulnerabilities']:,} ÷ {files[0]['vulnerabilities']:,}"]
    header += [f"ecr-guard ÷ engine ({f['vulnerabilities']:,})" for f in files]
    engine_rows = []
    for engine, per_file in timings.items():
        seconds = [per_file[f["name"]]["median_s"] for f in files]
        ratios = [guard[f["name"]]["median_s"] / per_file[f["name"]]["median_s"] for f in files]
        engine_rows.append(
            [engine, *(f"{value:.3f}" for value in seconds), f"{seconds[-1] / seconds[0]:.1f}"]
            + [f"{value:.2f}" for value in ratios]
        )
    text += _table(header, engine_rows) + "\n"
    largest = files[-1]
    phases = [
        [engine, f"{split['parse']:.3f}", f"{split['evaluate']:.3f}"]
        for engine, per_file in timings.items()
        if (split := per_file[largest["name"]].get("phases"))
    ]
    text += (
        f"\nWhere the time goes, {largest['vulnerabilities']:,} vulnerabilities (medians, "
        "seconds; reading the file is the rest):\n\n"
        + _table(["Engine", "Parse", "Evaluate"], phases)
        + "\n"
    )
    if "jq" not in timings:
        text += "\njq is not installed on this machine: its column is left out.\n"
    return text


def _memory(memory: dict[str, Any]) -> str:
    rows = [
        [
            engine,
            f"{found['file_mb']:.1f}",
            f"{found['after_imports_mb']:.1f}",
            f"{found['peak_mb']:.1f}",
            f"{found['increase_multiple']:.2f}x",
            f"{found['peak_multiple']:.2f}x",
        ]
        for engine, found in memory.items()
    ]
    header = ["Engine", "File MB", "After imports MB", "Peak MB", "Growth ÷ file", "Peak ÷ file"]
    return "## Memory\n\n" + _table(header, rows) + "\n"


def _aws_calls(scenarios: list[dict[str, Any]]) -> str:
    rows = []
    for scenario in scenarios:
        observed, minimum = Counter(scenario["observed"]), Counter(scenario["minimum"])
        rows.append(
            [
                scenario["title"],
                scenario["function"],
                ", ".join(scenario["verdicts"]) or "—",
                str(observed.total()),
                str(minimum.total()),
                _calls(observed - minimum) or "—",
                _calls(minimum - observed) or "—",
            ]
        )
    text = (
        "## AWS calls per event\n\n"
        + _table(
            ["Event", "Function", "Verdict", "Calls", "Minimum", "Beyond the minimum", "Missing"],
            rows,
        )
        + "\n\n### The minimum, event by event\n\n"
    )
    for scenario in scenarios:
        minimum = Counter(scenario["minimum"])
        text += f"- **{scenario['title']}**: {_calls(minimum)}; {scenario['why']}.\n"
    return text


def _calls(counts: Counter[str]) -> str:
    return ", ".join(f"{name} x {count}" for name, count in sorted(counts.items()) if count)


def _messages(messages: dict[str, Any]) -> str:
    sns = messages["sns"]
    omitted = sns.get("omitted") or {}
    text = (
        "## Message sizes\n\n"
        f"- SNS: {sns['bytes']:,} bytes of {sns['limit']:,} (JSON body "
        f"{sns['json_body_bytes']:,}, email text {sns['email_bytes']:,}; protocols "
        f"{', '.join(sns['protocols'])}); {sns['findings_listed']:,} findings listed worst "
        f"first, {omitted.get('findings', 0):,} left out and counted; subject "
        f"`{sns['subject']}`.\n"
    )
    slack = messages["slack"]
    if not slack.get("built"):
        return text + "- Slack: not built yet; the row is filled once the renderer exists.\n"
    return text + (
        f"- Slack (rendered from the same JSON body): {slack['blocks']} blocks of at most "
        f"{slack['limits']['blocks']}, longest section text {slack['longest_section']:,} "
        f"characters of {slack['limits']['section']:,}, header {slack['longest_header']} of "
        f"{slack['limits']['header']}; the payload is {slack['payload_bytes']:,} bytes.\n"
    )


def _limitations(checks: list[Check], results: dict[str, Any]) -> str:
    missed = [check for check in checks if check.status is Status.MISSED]
    if not missed:
        return "## Known limitations\n\nEvery budget measured here is met.\n"
    text = "## Known limitations\n\nBudgets missed in this run, and why:\n\n"
    for check in missed:
        cause = cause_of(check.id, results)
        cause = cause[:1].upper() + cause[1:]
        text += f"- **{check.what}** ({check.measured}; budget {check.budget}): {cause}\n"
    return text
