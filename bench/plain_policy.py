"""The obvious alternatives to ecr-guard's engine: the default policy as a plain loop, and as jq.

Both apply exactly what ecr-guard's default policy says (`ecr_guard/policy/default.yaml`), with
its `per-vulnerability` counting, so that all three can be checked to agree before their times
are compared:

- a vulnerability (or secret) id is one finding however many packages it is in; its severity is
  the worst of its occurrences, and it is fixable when any occurrence has a fix (a `FixedVersion`
  or a `fixed` status);
- occurrences with status `not_affected` are not judged;
- FAIL: any CRITICAL vulnerability, any fixable HIGH vulnerability, any HIGH or CRITICAL
  secret; else WARN: any HIGH vulnerability without a fix; else PASS.

The loop reads the document that `json.loads` (or `orjson.loads`) returns; jq reads the file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

CRITICAL = "critical-vulnerabilities"
FIXABLE_HIGH = "fixable-high-vulnerabilities"
SECRETS = "high-risk-secrets"
UNFIXED_HIGH = "unfixed-high-vulnerabilities"
FAILING_RULES = (CRITICAL, FIXABLE_HIGH, SECRETS)
RULES = (CRITICAL, FIXABLE_HIGH, SECRETS, UNFIXED_HIGH)

_RANKS = {
    "CRITICAL": 4,
    "HIGH": 3,
    "MEDIUM": 2,
    "MODERATE": 2,
    "LOW": 1,
    "INFORMATIONAL": 1,
    "NEGLIGIBLE": 1,
}
_HIGH = 3
_CRITICAL = 4

Outcome = dict[str, Any]
"""`{"verdict": "FAIL", "findings": 10391, "rules": {rule id: findings matched}}`."""


def plain_policy(document: Mapping[str, Any]) -> Outcome:
    """The default policy applied to a parsed Trivy report, in one pass and one dict."""
    # (kind, id) → [worst severity rank, fixable]
    groups: dict[tuple[str, str], list[Any]] = {}
    for result in document.get("Results") or ():
        for vulnerability in result.get("Vulnerabilities") or ():
            status = (vulnerability.get("Status") or "").lower()
            if status == "not_affected":
                continue
            key = ("vulnerability", vulnerability["VulnerabilityID"].casefold())
            rank = _RANKS.get((vulnerability.get("Severity") or "").strip().upper(), 0)
            fixable = status == "fixed" or _has_version(vulnerability.get("FixedVersion"))
            _add(groups, key, rank, fixable)
        for secret in result.get("Secrets") or ():
            key = ("secret", secret["RuleID"].casefold())
            _add(groups, key, _RANKS.get((secret.get("Severity") or "").strip().upper(), 0), False)

    matched = dict.fromkeys(RULES, 0)
    for (kind, _), (rank, fixable) in groups.items():
        if kind == "secret":
            matched[SECRETS] += rank >= _HIGH
        elif rank >= _CRITICAL:
            matched[CRITICAL] += 1
        elif rank == _HIGH:
            matched[FIXABLE_HIGH if fixable else UNFIXED_HIGH] += 1
    return {"verdict": _verdict(matched), "findings": len(groups), "rules": matched}


def _add(
    groups: dict[tuple[str, str], list[Any]], key: tuple[str, str], rank: int, fix: bool
) -> None:
    found = groups.get(key)
    if found is None:
        groups[key] = [rank, fix]
    else:
        found[0] = max(found[0], rank)
        found[1] = found[1] or fix


def _has_version(text: str | None) -> bool:
    return any(part.strip() for part in (text or "").split(","))


def _verdict(matched: Mapping[str, int]) -> str:
    if any(matched[rule] for rule in FAILING_RULES):
        return "FAIL"
    return "WARN" if matched[UNFIXED_HIGH] else "PASS"


def loop_with(loads: Callable[[bytes], Any]) -> Callable[[bytes], Outcome]:
    """The plain loop behind a JSON parser (`json.loads`, `orjson.loads`)."""

    def run(data: bytes) -> Outcome:
        return plain_policy(loads(data))

    return run


JQ_PROGRAM = r"""
def rank: {"CRITICAL": 4, "HIGH": 3, "MEDIUM": 2, "MODERATE": 2, "LOW": 1,
           "INFORMATIONAL": 1, "NEGLIGIBLE": 1}[(. // "") | ascii_upcase] // 0;
def lower: (. // "") | ascii_downcase;
[ .Results[]?
  | ((.Vulnerabilities // [])[]
     | select((.Status | lower) != "not_affected")
     | {k: ("v" + (.VulnerabilityID | ascii_downcase)), s: false, r: (.Severity | rank),
        f: (((.Status | lower) == "fixed") or ((.FixedVersion // "") | test("[^, ]")))}),
    ((.Secrets // [])[]
     | {k: ("s" + (.RuleID | ascii_downcase)), s: true, r: (.Severity | rank), f: false})
]
| group_by(.k)
| map({s: .[0].s, r: (map(.r) | max), f: (map(.f) | any)})
| { findings: length,
    rules: {
      "critical-vulnerabilities": (map(select((.s | not) and .r >= 4)) | length),
      "fixable-high-vulnerabilities": (map(select((.s | not) and .r == 3 and .f)) | length),
      "high-risk-secrets": (map(select(.s and .r >= 3)) | length),
      "unfixed-high-vulnerabilities": (map(select((.s | not) and .r == 3 and (.f | not)))
                                       | length)
    } }
| .verdict = (if .rules["critical-vulnerabilities"] + .rules["fixable-high-vulnerabilities"]
                 + .rules["high-risk-secrets"] > 0 then "FAIL"
              elif .rules["unfixed-high-vulnerabilities"] > 0 then "WARN"
              else "PASS" end)
"""
"""The same policy as a jq filter; prints the outcome as one JSON object."""
