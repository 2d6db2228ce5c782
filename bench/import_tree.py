"""What `python -X importtime` says an import loaded, and what of it a handler does not need.

`-X importtime` prints one line per module, children before their parent, indented by depth:
`import time: <self µs> | <cumulative µs> | <name>`. A module appears once, under whichever
module imported it first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

_ON_SOME_PATHS: dict[str, str] = {
    "asyncio": (
        "Powertools' batch package imports its asyncio processor; the handlers use the "
        "synchronous BatchProcessor"
    ),
    "importlib.metadata": (
        "pydantic looks for plugins when it builds the first model (none are installed)"
    ),
    "ecr_guard.findings.load": "only for Trivy reports (S3 and CI events)",
    "ecr_guard.findings.trivy": "only for Trivy reports (S3 and CI events)",
    "ecr_guard.findings.trivy_schema": "only for Trivy reports (S3 and CI events)",
    "ecr_guard.findings.inspector_schema": "only for enhanced scanning (Inspector) findings",
    "ecr_guard.policy.trivyignore": "only for a policy with `waiver_files`",
    "ecr_guard.policy.purl": "only for waivers naming package URLs",
    "difflib": "only for the suggestions of a policy error",
}
_NOTIFYING: dict[str, str] = {
    "ecr_guard.guard.messages": "only when a notification is sent",
    "ecr_guard.guard.notification": "only when a notification is sent",
    "ecr_guard.guard.email_text": "only when a notification is sent",
    "ecr_guard.guard.listings": "only when a notification is sent",
}
_PARAMETERS: dict[str, str] = {
    "aws_lambda_powertools.utilities.parameters": (
        "only when the policy is read from SSM (`ECR_GUARD_POLICY_PARAMETER`)"
    ),
}
CONDITIONAL: dict[str, dict[str, str]] = {
    "guard": _ON_SOME_PATHS | _NOTIFYING | _PARAMETERS,
    "push_recorder": _ON_SOME_PATHS | _NOTIFYING | _PARAMETERS,
    "slack_notifier": _ON_SOME_PATHS,
}
"""Per handler, modules it needs on few of its paths or none: what each is needed for."""

FORBIDDEN = (
    "typer",
    "rich",
    "click",
    "moto",
    "jsonschema",
    "ecr_guard.cli",
    "ecr_guard.output",
    "ecr_guard.sim",
)
"""Packages a handler must never import: the CLI, its output, the emulator, test tools."""


@dataclass(frozen=True)
class Imported:
    name: str
    self_us: int
    cumulative_us: int
    parent: str | None


def parse_importtime(text: str) -> dict[str, Imported]:
    """Every module the log names, with its own and cumulative time and its importer."""
    rows: list[tuple[str, int, int, int]] = []
    for line in text.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, _, rest = line.partition(":")
        own, cumulative, label = rest.split("|", 2)
        depth = (len(label) - len(label.lstrip())) // 2
        rows.append((label.strip(), int(own), int(cumulative), depth))
    modules: dict[str, Imported] = {}
    for position, (name, self_us, cumulative_us, depth) in enumerate(rows):
        parent = next((row[0] for row in rows[position + 1 :] if row[3] < depth), None)
        modules.setdefault(name, Imported(name, self_us, cumulative_us, parent))
    return modules


def extra_by_package(
    candidate: dict[str, Imported], baseline: dict[str, Imported]
) -> list[dict[str, object]]:
    """Modules the candidate loads and the baseline does not, by top-level package, slowest
    first (own time, so that nothing is counted twice)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, module in candidate.items():
        if name in baseline:
            continue
        package = name.split(".", 1)[0]
        totals[package][0] += module.self_us
        totals[package][1] += 1
    ranked = sorted(totals.items(), key=lambda item: -item[1][0])
    return [
        {"package": package, "ms": round(us / 1000, 1), "modules": count}
        for package, (us, count) in ranked
    ]


def conditional_imports(handler: str, candidate: dict[str, Imported]) -> list[dict[str, object]]:
    """Each module the handler needs on few paths: loaded at import or not, its cost, who
    imported it."""
    found = []
    for name, why in CONDITIONAL.get(handler, _ON_SOME_PATHS).items():
        module = candidate.get(name)
        found.append(
            {
                "module": name,
                "loaded": module is not None,
                "ms": round(module.cumulative_us / 1000, 1) if module else None,
                "imported_by": module.parent if module else None,
                "needed_for": why,
            }
        )
    return found


def forbidden_imports(candidate: dict[str, Imported]) -> list[str]:
    """Forbidden packages the candidate loaded (an empty list is the expected answer)."""
    return sorted(
        name
        for name in candidate
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN)
    )
