"""Checking a step's `expect:` block against what the step did.

`verdict`, `outcome`, `action`, `performed`, `pending` and `rules` are about the latest decision
of the step on the event's image, taken as the guard acts on it: for a multi-arch image its
index, judged by its worst platform; for any image the worst of its scanners. `outcome` is
worked out from the ledger after the step, the rest from the guard's "decision" log line.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ecr_guard.policy.decision import Verdict
from ecr_guard.sim.observe import ItemKey
from ecr_guard.sim.report import DecisionView, Expectation, ImageView, StepResult
from ecr_guard.sim.scenario import Event, Expect, ImageExpect

if TYPE_CHECKING:
    from ecr_guard.sim.manifests import BuiltImage
    from ecr_guard.sim.steps import StepContext

_DECISION_PREFIX = "decision#"


def check_step(
    result: StepResult,
    event: Event,
    context: StepContext,
    ledger: Mapping[ItemKey, dict[str, Any]],
) -> StepResult:
    """The step result with its expectations checked."""
    expect = event.expect
    if expect is None:
        return result
    checks: list[Expectation] = []
    image_name = getattr(event, "image", None)
    if image_name is not None:
        image = context.images[image_name]
        checks += _decision_checks(expect, result, image, ledger)
    checks += _count_checks(expect, result)
    for reference, wanted in (expect.images or {}).items():
        checks += _image_checks(reference, wanted, result, context.images[reference])
    return result.model_copy(update={"expectations": checks})


def _decision_checks(
    expect: Expect, result: StepResult, image: BuiltImage, ledger: Mapping[ItemKey, dict[str, Any]]
) -> list[Expectation]:
    wanted = {
        "verdict": expect.verdict,
        "outcome": expect.outcome,
        "action": expect.action,
        "performed": expect.performed,
        "pending": expect.pending,
        "rules": sorted(expect.rules) if expect.rules is not None else None,
    }
    asked = {name: value for name, value in wanted.items() if value is not None}
    if not asked:
        return []
    decision = _latest_decision(result.decisions, image.digest)
    if decision is None:
        return [
            Expectation(check=name, expected=_plain(value), actual=None, passed=False)
            for name, value in asked.items()
        ]
    actual: dict[str, Any] = {
        "verdict": decision.subject_verdict or decision.verdict,
        "outcome": _subject_outcome(image, ledger),
        "action": decision.action,
        "performed": decision.performed,
        "pending": decision.pending,
        "rules": sorted(decision.rule_ids),
    }
    return [
        Expectation(
            check=name,
            expected=_plain(value),
            actual=actual[name],
            passed=_plain(value) == actual[name],
        )
        for name, value in asked.items()
    ]


def _latest_decision(decisions: list[DecisionView], digest: str) -> DecisionView | None:
    about = [
        decision for decision in decisions if digest in (decision.subject_digest, decision.digest)
    ]
    return about[-1] if about else None


def _subject_outcome(image: BuiltImage, ledger: Mapping[ItemKey, dict[str, Any]]) -> str | None:
    """The worst latest outcome across the image's scanners (and platforms)."""
    outcomes: list[Verdict] = []
    for leaf in image.leaves():
        for (pk, sort_key), item in ledger.items():
            if sort_key != "state" or not pk.endswith(f"#{leaf.repository}#{leaf.digest}"):
                continue
            for name, value in item.items():
                if name.startswith(_DECISION_PREFIX) and isinstance(value, dict):
                    outcomes.append(Verdict(str(value.get("outcome"))))
    return Verdict.worst(outcomes).value if outcomes else None


def _count_checks(expect: Expect, result: StepResult) -> list[Expectation]:
    checks = []
    if expect.notifications is not None:
        count = len(result.notifications)
        checks.append(
            Expectation(
                check="notifications",
                expected=expect.notifications,
                actual=count,
                passed=count == expect.notifications,
            )
        )
    subjects = [notification.subject for notification in result.notifications]
    for text in expect.subjects or []:
        checks.append(
            Expectation(
                check="subject",
                expected=text,
                actual=subjects,
                passed=any(text in subject for subject in subjects),
            )
        )
    if expect.dead_letters is not None:
        total = sum(result.dead_letters.values())
        checks.append(
            Expectation(
                check="dead_letters",
                expected=expect.dead_letters,
                actual=total,
                passed=total == expect.dead_letters,
            )
        )
    return checks


def _image_checks(
    reference: str, wanted: ImageExpect, result: StepResult, image: BuiltImage
) -> list[Expectation]:
    view = next((found for found in result.images if found.digest == image.digest), None)
    tags = view.tags if view else []
    checks = []

    def add(check: str, expected: Any, actual: Any, passed: bool) -> None:
        checks.append(
            Expectation(
                check=f"{reference}.{check}", expected=expected, actual=actual, passed=passed
            )
        )

    if wanted.exists is not None:
        add("exists", wanted.exists, view is not None, (view is not None) == wanted.exists)
    if wanted.tags is not None:
        add("tags", sorted(wanted.tags), tags, sorted(wanted.tags) == tags)
    for pattern in wanted.has_tags or []:
        add("has_tags", pattern, tags, any(fnmatch.fnmatchcase(tag, pattern) for tag in tags))
    for pattern in wanted.lacks_tags or []:
        add("lacks_tags", pattern, tags, not any(fnmatch.fnmatchcase(t, pattern) for t in tags))
    if wanted.storage_class is not None:
        actual = _storage_class(view)
        add("storage_class", wanted.storage_class, actual, actual == wanted.storage_class)
    if wanted.quarantined is not None:
        actual_q = bool(view and view.quarantined)
        add("quarantined", wanted.quarantined, actual_q, actual_q == wanted.quarantined)
    return checks


def _storage_class(view: ImageView | None) -> str | None:
    return view.storage_class if view else None


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value
