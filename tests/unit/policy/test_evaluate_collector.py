"""The cyclic garbage collector is paused while a report is evaluated, and back afterwards."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from ecr_guard.policy import evaluate as evaluation
from ecr_guard.policy.evaluate import evaluate
from ecr_guard.policy.load import default_policy

from tests.unit.policy.builders import NOW, report, vuln


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


@pytest.mark.usefixtures("collector_enabled")
def test_collector_is_paused_while_the_findings_are_judged(monkeypatch):
    seen: list[bool] = []
    grouping = evaluation.group_findings

    def spy(*arguments, **keywords):
        seen.append(gc.isenabled())
        return grouping(*arguments, **keywords)

    monkeypatch.setattr(evaluation, "group_findings", spy)

    decision = evaluate(
        report(vuln("CVE-2026-0001"), vuln("CVE-2026-0002")), default_policy(), now=NOW
    )

    assert seen == [False]
    assert decision.counts.total == 2


@pytest.mark.usefixtures("collector_enabled")
def test_collector_is_enabled_again_after_an_evaluation():
    evaluate(report(vuln("CVE-2026-0001")), default_policy(), now=NOW)

    assert gc.isenabled()


@pytest.mark.usefixtures("collector_enabled")
def test_collector_left_disabled_stays_disabled_after_an_evaluation():
    gc.disable()

    evaluate(report(vuln("CVE-2026-0001")), default_policy(), now=NOW)

    assert not gc.isenabled()
