"""Every bundled scenario runs on the embedded AWS with all its `expect:` blocks holding (these
are the scenarios `ecr-guard demo` tells its story with), and every event the simulator sends
in them is one the template's EventBridge rules would route to the same function."""

from __future__ import annotations

from typing import Any

import pytest
from ecr_guard.sim.bundled import DEMO_SCENARIOS
from ecr_guard.sim.load import load_scenario
from ecr_guard.sim.report import ScenarioResult
from ecr_guard.sim.runner import run_scenario

from tests.conftest import REPO_ROOT
from tests.e2e.support import bundled
from tests.unit.template.cfn import Renderer, load_template
from tests.unit.template.test_template_event_patterns import routes

PUSH_RULE = "PushRecorderFunctionImagePushed"


@pytest.fixture(scope="module")
def results() -> dict[str, ScenarioResult]:
    with bundled() as folder:
        return {name: run_scenario(load_scenario(folder / name)) for name in DEMO_SCENARIOS}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(load_template(REPO_ROOT / "template.yaml"))


@pytest.mark.parametrize("name", DEMO_SCENARIOS)
def test_bundled_scenario_meets_every_expectation(results, name):
    result = results[name]

    failed = [
        (step.index, expectation.check, expectation.expected, expectation.actual)
        for step in result.steps
        for expectation in step.expectations
        if not expectation.passed
    ]
    assert failed == []
    assert sum(len(step.expectations) for step in result.steps) >= 8


@pytest.mark.parametrize("name", DEMO_SCENARIOS)
def test_every_event_sent_is_routed_by_the_templates_rules(results, renderer, name):
    delivered = [
        (delivery.function, delivery.event)
        for step in results[name].steps
        for delivery in step.deliveries
        # The push recorder's own message to the guard queue is not an EventBridge event.
        if delivery.detail_type != "Evaluate Index"
    ]

    assert delivered
    for function, event in delivered:
        matched = routes(renderer, _as_deployed(event, renderer))
        if function == "PushRecorderFunction":
            assert matched == {PUSH_RULE}
        else:
            assert matched, f"no rule routes {event['detail-type']} to GuardQueue"
            assert PUSH_RULE not in matched


def _as_deployed(event: dict[str, Any], renderer: Renderer) -> dict[str, Any]:
    """The event with the bucket named as the renderer names the stack's bucket."""
    bucket = event.get("detail", {}).get("bucket")
    if isinstance(bucket, dict):
        return {
            **event,
            "detail": {
                **event["detail"],
                "bucket": {"name": renderer.physical_name("ReportsBucket")},
            },
        }
    return event
