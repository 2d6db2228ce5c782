"""Why a budget was missed, for the report's Known limitations: analysed causes, with this run's
numbers where they help. A miss nobody has analysed says so."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.cold_start import LIBRARIES_LABEL

UNANALYSED = "not analysed yet: look at the detail tables above."

_EXTRA_CALLS = {
    "ecr:DescribeImageScanFindings": (
        "findings are read 100 a page (ECR's default page) instead of the 1,000 basic "
        "scanning allows"
    ),
    "ecr:DescribeImages": (
        "the policy's size rule reads DescribeImages before the evaluation, and the quarantine "
        "reads it again for the current tags: the design asks for both reads, one answer would "
        "serve both"
    ),
}
_EXTRA_CALLS_BY_SCENARIO = {
    ("push-index", "dynamodb:UpdateItem"): (
        "the push recorder links each build attestation to its index, though attestations are "
        "never judged as members"
    ),
}


def cause_of(check_id: str, results: dict[str, Any]) -> str:
    area, _, rest = check_id.partition("/")
    if area == "cold-start":
        return _cold_start(rest.split("/", 1)[0], results["cold_start"])
    if area == "aws-calls":
        return _aws_calls(rest, results["aws_calls"])
    if area == "reports" and check_id.endswith("/json-loop"):
        return _reports(int(rest.split("/", 1)[0]), results["reports"])
    if check_id == "reports/linearity":
        return _linearity(results["reports"])
    return UNANALYSED


_LIBRARIES = {
    "guard": "pydantic, Powertools (Logger, Metrics, batch, idempotency) and PyYAML",
    "push_recorder": "pydantic and Powertools (Logger, Metrics)",
    "slack_notifier": "pydantic and Powertools (Logger, Metrics, Parameters)",
}


def _cold_start(handler: str, cold: dict[str, Any]) -> str:
    rows = [row for row in cold["rows"] if row["handler"] == handler]
    libraries = next((row for row in rows if row["candidate"] == LIBRARIES_LABEL), None)
    imports = cold["imports"][handler]
    own = next((e for e in imports["extra_by_package"] if e["package"] == "ecr_guard"), None)
    parts = []
    if libraries:
        parts.append(
            f"the libraries the design prescribes ({_LIBRARIES.get(handler, 'pydantic')}) cost "
            f"{libraries['ratio']:.2f}x on their own, before any ecr-guard code"
        )
    if own:
        parts.append(
            f"ecr-guard's own {own['modules']} modules add {own['ms']:.0f} ms of import time, "
            "most of it pydantic building the models (events, policy, findings, decisions, "
            "ledger state) as their modules are imported"
        )
    optional = _optional_ms(imports["conditional"])
    if optional:
        parts.append(
            f"what it loads at import for paths an event may not take comes to {optional:.0f} "
            "ms (listed above)"
        )
    text = "; ".join(parts) or UNANALYSED
    return text[:1].upper() + text[1:].rstrip(".") + "."


def _optional_ms(conditional: list[dict[str, Any]]) -> float:
    """Import time of the optional modules loaded, each counted once (with what it imports)."""
    loaded = {entry["module"]: entry for entry in conditional if entry["loaded"]}
    return sum(
        float(entry["ms"]) for entry in loaded.values() if entry["imported_by"] not in loaded
    )


def _aws_calls(name: str, scenarios: list[dict[str, Any]]) -> str:
    scenario = next(found for found in scenarios if found["name"] == name)
    extra = Counter(scenario["observed"]) - Counter(scenario["minimum"])
    missing = Counter(scenario["minimum"]) - Counter(scenario["observed"])
    reasons = [
        f"{count} more {operation}: "
        + _EXTRA_CALLS_BY_SCENARIO.get((name, operation), _EXTRA_CALLS.get(operation, UNANALYSED))
        for operation, count in sorted(extra.items())
    ]
    reasons += [
        f"{count} fewer {operation} than the minimum: the minimum's definition is out of date"
        for operation, count in sorted(missing.items())
    ]
    return "; ".join(reasons) + "."


def _reports(size: int, reports: dict[str, Any]) -> str:
    name = next(f["name"] for f in reports["files"] if f["vulnerabilities"] == size)
    guard = reports["timings"]["ecr-guard"][name]["phases"]
    loop = reports["timings"]["json-loop"][name]["phases"]
    where = (
        "parsing"
        if guard["parse"] - loop["parse"] >= guard["evaluate"] - loop["evaluate"]
        else "evaluating"
    )
    return (
        f"most of the gap is in {where} (parsing {guard['parse']:.3f} s against json.loads' "
        f"{loop['parse']:.3f} s; evaluating takes {guard['evaluate']:.3f} s against the loop's "
        f"{loop['evaluate']:.3f} s): ecr-guard validates every occurrence into a typed finding "
        "(severity, fix, CVSS, package, title, link) that the decision and the notification "
        "carry, where the loop reads four keys and counts."
    )


def _linearity(reports: dict[str, Any]) -> str:
    small, large = reports["files"][0]["name"], reports["files"][-1]["name"]
    timings = reports["timings"]

    def growth(engine: str, phase: str | None = None) -> float:
        entries = timings[engine]
        if phase is None:
            return float(entries[large]["median_s"] / entries[small]["median_s"])
        return float(entries[large]["phases"][phase] / entries[small]["phases"][phase])

    others = ", ".join(
        f"{engine} {growth(engine):.1f}" for engine in timings if engine not in ("ecr-guard", "jq")
    )
    return (
        f"the other Python engines grow as much ({others}), so the excess comes with the size "
        "of the working set (tens of megabytes of Python objects), not from a step of "
        f"ecr-guard: its parsing grows {growth('ecr-guard', 'parse'):.1f} times and its "
        f"evaluation {growth('ecr-guard', 'evaluate'):.1f} times for "
        f"{reports['files'][-1]['vulnerabilities'] / reports['files'][0]['vulnerabilities']:g} "
        "times the vulnerabilities."
    )
