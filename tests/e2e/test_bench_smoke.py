"""`python -m bench.run --smoke`: every measurement of the benchmark still runs, end to end.

The sizes are tiny and each candidate runs once, so the timings mean nothing and nothing here
looks at them: what is checked is that the command succeeds and writes the report and the
results with a row for every check the full benchmark makes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.aws_scenarios import scenarios
from bench.budgets import Status
from bench.cold_start import available_handlers
from tests.conftest import REPO_ROOT

SECTIONS = (
    "## Budgets",
    "## Machine and versions",
    "## Method",
    "## Cold start",
    "## Big reports",
    "## Memory",
    "## AWS calls per event",
    "## Message sizes",
    "## Known limitations",
    "## Re-running",
)


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((out / "results.json").read_text())
    return results, (out / "performance.md").read_text()


def expected_check_ids(results: dict[str, Any]) -> set[str]:
    sizes = [report["vulnerabilities"] for report in results["reports"]["files"]]
    ids = {"reports/linearity", "memory/peak", "messages/sns", "messages/slack"}
    ids |= {f"reports/{size}/{engine}" for size in sizes for engine in ("json-loop", "jq")}
    ids |= {f"aws-calls/{scenario.name}" for scenario in scenarios()}
    for handler in available_handlers():
        ids |= {
            f"cold-start/{handler.name}/import-+-clients",
            f"cold-start/{handler.name}/cold-start-to-first-call",
        }
    return ids


def test_smoke_run_checks_every_budget(smoke_run):
    results, _ = smoke_run

    ids = [check["id"] for check in results["checks"]]

    assert sorted(ids) == sorted(expected_check_ids(results))
    assert {check["status"] for check in results["checks"]} <= {status.value for status in Status}


def test_smoke_run_writes_one_summary_row_per_check(smoke_run):
    results, document = smoke_run

    summary = document.split("## Budgets", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in summary.splitlines() if line.startswith("| ")]

    assert len(rows) == 1 + len(results["checks"])  # the header, then one row per check
    for check in results["checks"]:
        assert check["what"] in summary


def test_smoke_run_report_has_every_section(smoke_run):
    _, document = smoke_run

    positions = [document.index(section) for section in SECTIONS]

    assert positions == sorted(positions)


def test_smoke_run_counts_calls_for_every_event_kind(smoke_run):
    results, _ = smoke_run

    counted = {scenario["name"]: scenario for scenario in results["aws_calls"]}

    assert set(counted) == {scenario.name for scenario in scenarios()}
    assert all(sum(scenario["observed"].values()) > 0 for scenario in counted.values())


def test_smoke_run_engines_agree_on_every_report(smoke_run):
    results, _ = smoke_run
    timings = results["reports"]["timings"]

    verdicts = {
        (engine, report): entry["outcome"]["verdict"]
        for engine, per_report in timings.items()
        for report, entry in per_report.items()
    }

    assert set(verdicts.values()) == {"FAIL"}  # every generated report holds a critical finding
    assert {"ecr-guard", "json-loop"} <= set(timings)


def test_smoke_run_never_replaces_the_published_report(smoke_run):
    published = Path(REPO_ROOT, "docs", "performance.md")
    _, document = smoke_run

    assert "smoke run" in document
    if published.exists():
        assert "smoke run" not in published.read_text()
