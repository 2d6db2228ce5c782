"""When a function keeps failing, the simulator does what AWS does: SQS delivers the guard's
failed records again and moves them to GuardDLQ after five receives; Lambda retries a failed
push twice and sends it to the push recorder's dead-letter queue. Nothing is dropped silently."""

from __future__ import annotations

import pytest
from ecr_guard.guard.recorder import PushRecorder
from ecr_guard.guard.service import GuardService
from ecr_guard.sim.load import load_scenario
from ecr_guard.sim.render import render_result
from ecr_guard.sim.runner import run_scenario

from tests.unit.sim.support import MINIMAL, write_scenario


def broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("simulated failure")


@pytest.fixture
def scenario(tmp_path):
    return load_scenario(write_scenario(tmp_path, MINIMAL))


def test_a_record_that_keeps_failing_goes_to_the_guard_dlq_after_five_receives(
    scenario, monkeypatch
):
    monkeypatch.setattr(GuardService, "handle", broken)

    result = run_scenario(scenario)

    step = result.steps[1]
    assert [(i.function, i.records, i.failed) for i in step.invocations] == [
        ("GuardFunction", 1, 1)
    ] * 5
    assert step.dead_letters == {"GuardDLQ": 1, "PushRecorderDLQ": 0}
    assert [record["message"] for record in step.logs] == ["record failed"] * 5
    assert "GuardDLQ holds 1: ecr-guard-guard-dlq-not-empty would fire" in render_result(result)


def test_a_push_that_keeps_failing_goes_to_the_push_recorder_dlq(scenario, monkeypatch):
    monkeypatch.setattr(PushRecorder, "handle", broken)

    result = run_scenario(scenario)

    step = result.steps[0]
    assert [(i.function, i.failed) for i in step.invocations] == [("PushRecorderFunction", 1)] * 3
    assert step.dead_letters == {"GuardDLQ": 0, "PushRecorderDLQ": 1}
    assert step.invocations[0].error == "RuntimeError: simulated failure"
    assert step.remarks[-1] == (
        "the push recorder failed 3 times: the event went to PushRecorderDLQ"
    )
