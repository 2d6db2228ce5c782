"""The budgets the guard is held to, checked against one run's measurements.

Every check is one row of the summary: what was measured, the budget, and whether it was met.
A check that cannot be measured here says why (`not built yet`, `skipped`), never `met`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

COLD_START_RATIO = 1.3
JSON_LOOP_RATIO = 1.0
JQ_RATIO = 0.5
LINEARITY_SLACK = 1.2
"""t(large)/t(small) may be at most this much more than the size ratio (12 for 2k → 20k)."""
MEMORY_MULTIPLE = 5.0


class Status(StrEnum):
    MET = "met"
    MISSED = "MISSED"
    NOT_BUILT = "not built yet"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    id: str
    section: str
    what: str
    measured: str
    budget: str
    status: Status
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_all(results: dict[str, Any]) -> list[Check]:
    return [
        *_cold_start(results["cold_start"]),
        *_reports(results["reports"]),
        *_memory(results["memory"], results["reports"]),
        *_aws_calls(results["aws_calls"]),
        *_messages(results["messages"]),
    ]


def _status(met: bool) -> Status:
    return Status.MET if met else Status.MISSED


def _cold_start(cold: dict[str, Any]) -> list[Check]:
    checks = []
    baselines = {row["handler"]: row for row in cold["rows"] if row["baseline"]}
    for row in cold["rows"]:
        if not row["budgeted"]:
            continue
        baseline = baselines[row["handler"]]
        checks.append(
            Check(
                id=f"cold-start/{row['handler']}/{row['candidate'].replace(' ', '-')}",
                section="Cold start",
                what=f"{row['handler']}: {row['candidate']}",
                measured=(
                    f"{row['ratio']:.2f}x: {row['median_ms']:,.0f} ms vs "
                    f"{baseline['median_ms']:,.0f} ms"
                ),
                budget=f"≤ {COLD_START_RATIO:.2f}x",
                status=_status(row["ratio"] <= COLD_START_RATIO),
            )
        )
    for handler in cold["missing_handlers"]:
        checks.append(
            Check(
                id=f"cold-start/{handler}",
                section="Cold start",
                what=f"{handler}: import + clients",
                measured="—",
                budget=f"≤ {COLD_START_RATIO:.2f}x",
                status=Status.NOT_BUILT,
                note=f"ecr_guard.handlers.{handler} does not exist in this tree",
            )
        )
    return checks


def _reports(reports: dict[str, Any]) -> list[Check]:
    timings = reports["timings"]
    guard = timings["ecr-guard"]
    checks = []
    for report in reports["files"]:
        name = report["name"]
        size = f"{report['vulnerabilities']:,}"
        # Ratios are compared as shown, to two decimals: the runs are not more precise.
        ratio = round(guard[name]["median_s"] / timings["json-loop"][name]["median_s"], 2)
        checks.append(
            Check(
                id=f"reports/{report['vulnerabilities']}/json-loop",
                section="Big reports",
                what=f"{size} vulnerabilities: ecr-guard ÷ json.loads + loop",
                measured=f"{ratio:.2f}x",
                budget=f"≤ {JSON_LOOP_RATIO:.2f}x",
                status=_status(ratio <= JSON_LOOP_RATIO),
            )
        )
        if "jq" in timings:
            ratio = round(guard[name]["median_s"] / timings["jq"][name]["median_s"], 2)
            measured, status, note = f"{ratio:.2f}x", _status(ratio < JQ_RATIO), ""
        else:
            measured, status, note = "—", Status.SKIPPED, "jq is not installed on this machine"
        checks.append(
            Check(
                id=f"reports/{report['vulnerabilities']}/jq",
                section="Big reports",
                what=f"{size} vulnerabilities: ecr-guard ÷ jq",
                measured=measured,
                budget=f"< {JQ_RATIO:.2f}x",
                status=status,
                note=note,
            )
        )
    small, large = reports["files"][0], reports["files"][-1]
    growth = round(guard[large["name"]]["median_s"] / guard[small["name"]]["median_s"], 1)
    limit = LINEARITY_SLACK * large["vulnerabilities"] / small["vulnerabilities"]
    checks.append(
        Check(
            id="reports/linearity",
            section="Big reports",
            what=(
                f"ecr-guard time({large['vulnerabilities']:,}) ÷ time({small['vulnerabilities']:,})"
            ),
            measured=f"{growth:.1f}",
            budget=f"≤ {limit:g}",
            status=_status(growth <= limit),
        )
    )
    return checks


def _memory(memory: dict[str, Any], reports: dict[str, Any]) -> list[Check]:
    guard = memory["ecr-guard"]
    largest = reports["files"][-1]
    growth = guard["peak_mb"] - guard["after_imports_mb"]
    return [
        Check(
            id="memory/peak",
            section="Memory",
            what=f"peak memory judging {largest['vulnerabilities']:,} vulnerabilities ÷ file size",
            measured=(
                f"{guard['increase_multiple']:.2f}x: +{growth:.0f} MB over "
                f"{guard['after_imports_mb']:.0f} MB after imports, file {guard['file_mb']:.0f} MB"
            ),
            budget=f"≤ {MEMORY_MULTIPLE:g}x",
            status=_status(guard["increase_multiple"] <= MEMORY_MULTIPLE),
        )
    ]


def _aws_calls(scenarios: list[dict[str, Any]]) -> list[Check]:
    checks = []
    for scenario in scenarios:
        observed, minimum = Counter(scenario["observed"]), Counter(scenario["minimum"])
        extra = observed - minimum
        missing = minimum - observed
        difference = ", ".join(
            [f"+{count} {name}" for name, count in sorted(extra.items())]
            + [f"-{count} {name}" for name, count in sorted(missing.items())]
        )
        checks.append(
            Check(
                id=f"aws-calls/{scenario['name']}",
                section="AWS calls",
                what=f"{scenario['function']}: {scenario['title']}",
                measured=f"{observed.total()}" + (f": {difference}" if difference else ""),
                budget=f"= {minimum.total()} (the minimum)",
                status=_status(observed == minimum),
            )
        )
    return checks


def _messages(messages: dict[str, Any]) -> list[Check]:
    sns = messages["sns"]
    checks = [
        Check(
            id="messages/sns",
            section="Messages",
            what=f"SNS message for {sns['findings_total']:,} findings",
            measured=f"{sns['bytes']:,} bytes",
            budget=f"≤ {sns['limit']:,} bytes",
            status=_status(sns["bytes"] <= sns["limit"]),
        )
    ]
    slack = messages["slack"]
    what = f"Slack message for {sns['findings_total']:,} findings"
    budget = "≤ 50 blocks, sections ≤ 3,000 and header ≤ 150 characters"
    if not slack.get("built"):
        checks.append(
            Check(
                id="messages/slack",
                section="Messages",
                what=what,
                measured="—",
                budget=budget,
                status=Status.NOT_BUILT,
                note="the Slack renderer does not exist in this tree",
            )
        )
        return checks
    limits = slack["limits"]
    within = (
        slack["blocks"] <= limits["blocks"]
        and slack["longest_section"] <= limits["section"]
        and slack["longest_header"] <= limits["header"]
    )
    checks.append(
        Check(
            id="messages/slack",
            section="Messages",
            what=what,
            measured=(
                f"{slack['blocks']} blocks, longest section {slack['longest_section']:,}, "
                f"header {slack['longest_header']} characters"
            ),
            budget=budget,
            status=_status(within),
        )
    )
    return checks
