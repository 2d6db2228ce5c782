"""Running a scenario: the stack in the emulator, then each event delivered to the functions
exactly as AWS delivers it, and what happened read back after each step.

- Pushes go to the push recorder as EventBridge invokes it (asynchronously: two retries, then
  the push recorder's dead-letter queue).
- Every other event goes to GuardQueue, as the template's rules send it; the guard then gets
  what its event source mapping would give it: batches of up to 10 messages received from the
  queue, the processed ones deleted, the failed ones received again (after 5 receives SQS moves
  them to GuardDLQ). The push recorder's "evaluate index" messages take the same way.
- A change of policy or stack parameters starts new execution environments (a cold start).
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ecr_guard.errors import InputError
from ecr_guard.guard.config import GuardSettings
from ecr_guard.sim.clock import SimClock
from ecr_guard.sim.emulator import Emulator, emulated_aws
from ecr_guard.sim.events import EventFactory
from ecr_guard.sim.expect import check_step
from ecr_guard.sim.functions import FunctionHost, FunctionOutput, Invocation, function_hosts
from ecr_guard.sim.load import LoadedScenario
from ecr_guard.sim.observe import Observer, changed_items
from ecr_guard.sim.report import ScenarioResult, StepResult
from ecr_guard.sim.scenario import Event
from ecr_guard.sim.stack import FUNCTION_HANDLERS, SimulatedStack, create_stack, physical_name
from ecr_guard.sim.step_result import StepRecorder
from ecr_guard.sim.steps import StepContext, run_event


def run_scenario(
    loaded: LoadedScenario, *, server: bool = False, now: datetime | None = None
) -> ScenarioResult:
    """Run every event of the scenario against a fresh emulated stack."""
    scenario = loaded.scenario
    start = scenario.start_time(now or datetime.now(UTC))
    with ExitStack() as resources:
        workdir = Path(resources.enter_context(tempfile.TemporaryDirectory(prefix="ecr-guard-")))
        emulator = resources.enter_context(emulated_aws(scenario.region, server=server))
        output = resources.enter_context(function_hosts())
        simulation = Simulation(loaded, emulator, workdir, output, SimClock(start))
        resources.callback(simulation.close)
        return simulation.run()


@dataclass
class _Functions:
    guard: FunctionHost
    push_recorder: FunctionHost

    def all(self) -> tuple[FunctionHost, ...]:
        return (self.guard, self.push_recorder)


class Simulation:
    """One run of one scenario in an emulator."""

    def __init__(
        self,
        loaded: LoadedScenario,
        emulator: Emulator,
        workdir: Path,
        output: FunctionOutput,
        clock: SimClock,
    ):
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.emulator = emulator
        self.workdir = workdir
        self.clock = clock
        self.stack: SimulatedStack = create_stack(self.scenario.region)
        self.observer = Observer(self.stack)
        self.parameters = self.scenario.parameters
        self.policy = loaded.policy
        self._policy_version = 0
        self.policy_file = self._write_policy()
        self.functions = _Functions(
            guard=self._host("GuardFunction", output),
            push_recorder=self._host("PushRecorderFunction", output),
        )
        self.functions.guard.clock = self.clock.now
        self.context = StepContext(
            simulation=self,
            events=EventFactory(
                scenario=loaded.name, account=self.stack.account, region=self.stack.region
            ),
        )
        self.context.registry.create_all(self.scenario.repositories)

    def run(self) -> ScenarioResult:
        steps = [self._step(index, event) for index, event in enumerate(self.scenario.events, 1)]
        return ScenarioResult(
            scenario=self.loaded.name,
            file=self.loaded.origin,
            description=self.scenario.description,
            emulator=self.emulator.kind,
            region=self.stack.region,
            account=self.stack.account,
            steps=steps,
        )

    def close(self) -> None:
        for host in self.functions.all():
            host.close()

    # ------------------------------------------------------------ what steps call

    def environment(self, function: str) -> dict[str, str]:
        return self.stack.environment(
            self.parameters, function=function, policy_file=str(self.policy_file)
        )

    def settings(self) -> GuardSettings:
        return GuardSettings.from_environ(self.environment("GuardFunction"), role="cli")

    def cold_start(self) -> None:
        for host in self.functions.all():
            host.cold_start()

    def policy_changed(self) -> None:
        self.policy_file = self._write_policy()
        self.cold_start()

    def invoke(self, host: FunctionHost, event: dict[str, Any]) -> Invocation:
        return host.invoke(event, self.environment(host.logical_id))

    # ------------------------------------------------------------ internals

    def _host(self, logical_id: str, output: FunctionOutput) -> FunctionHost:
        return FunctionHost(
            logical_id=logical_id,
            module_name=FUNCTION_HANDLERS[logical_id],
            function_name=physical_name(logical_id),
            function_arn=self.stack.function_arn(logical_id),
            output=output,
        )

    def _write_policy(self) -> Path:
        self._policy_version += 1
        return self.policy.write(self.workdir / f"policy-{self._policy_version}.yaml")

    def _step(self, index: int, event: Event) -> StepResult:
        before = self.observer.ledger()
        recorder = StepRecorder(index=index, event=event, time=self.clock.now())
        try:
            run_event(self.context, event, recorder)
        except InputError as error:
            # What the CLI would print for this action (e.g. "not quarantined").
            recorder.remarks.append(str(error))
        after = self.observer.ledger()
        result = recorder.result(
            context=self.context,
            changed=changed_items(before, after),
            ledger=after,
            notifications=self.observer.notifications(),
            dead_letters=self.observer.dead_letters(),
        )
        return check_step(result, event, self.context, after)
