"""Fixtures: moto for every AWS service, the guard's stack in it, both functions run in-process,
and a record of every AWS call they make."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from ecr_guard.sim.moto_fixes import ecr_as_in_aws
from moto import mock_aws

from tests.integration.calls import CallRecorder
from tests.integration.events import push_event
from tests.integration.functions import (
    FUNCTION_NAMES,
    GUARD,
    PUSH_RECORDER,
    LambdaContext,
    Output,
    load_handler,
    parse_output,
    sqs_event,
)
from tests.integration.iam import denied, renderer_for_environment
from tests.integration.registry import Registry
from tests.integration.stack import REGION, Stack, create_stack

STRICT_POLICY = """\
version: 1
name: integration
rules:
  - id: medium-or-worse
    verdict: fail
    description: Medium or worse vulnerabilities block the image.
    kind: vulnerability
    severity: MEDIUM
  - id: low-vulnerabilities
    verdict: warn
    kind: vulnerability
    severity: [LOW]
image:
  unknown: fail
"""


@pytest.fixture
def calls() -> Iterator[CallRecorder]:
    with CallRecorder().installed() as recorder:
        yield recorder


@pytest.fixture(autouse=True)
def granted_calls_only(calls: CallRecorder, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """After each test: every call the functions made is allowed by template.yaml."""
    yield
    assert denied(calls.calls, renderer_for_environment()) == []


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, calls: CallRecorder) -> Iterator[None]:
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    with mock_aws(), ecr_as_in_aws():
        yield


@pytest.fixture
def stack(aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Stack:
    created = create_stack()
    for name, value in created.environment().items():
        monkeypatch.setenv(name, value)
    policy = tmp_path / "policy.yaml"
    policy.write_text(STRICT_POLICY)
    monkeypatch.setenv("ECR_GUARD_POLICY_FILE", str(policy))
    monkeypatch.setenv("ECR_GUARD_MODE", "enforce")
    return created


@pytest.fixture
def set_policy(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replace the packaged policy (before the functions' cold start)."""

    def write(text: str) -> Path:
        path = tmp_path / "custom-policy.yaml"
        path.write_text(text)
        monkeypatch.setenv("ECR_GUARD_POLICY_FILE", str(path))
        return path

    return write


@pytest.fixture
def registry(stack: Stack) -> Registry:
    """ECR in the functions' own region."""
    return Registry(REGION)


@dataclass
class Run:
    response: Any
    output: Output
    error: Exception | None = None


@dataclass
class FunctionRunner:
    """One Lambda function: cold start on the first run (or after `cold_start`)."""

    name: str
    capsys: pytest.CaptureFixture[str]
    calls: CallRecorder
    module: ModuleType | None = None
    runs: list[Run] = field(default_factory=list)

    def cold_start(self) -> None:
        self.module = None

    def invoke(self, payload: dict[str, Any]) -> Run:
        self.capsys.readouterr()
        if self.module is None:
            self.module = load_handler(self.name)
        context = LambdaContext(function_name=FUNCTION_NAMES[self.name])
        response, error = None, None
        with self.calls.running(self.name):
            try:
                response = self.module.lambda_handler(payload, context)
            except BatchProcessingError as raised:
                # Powertools fails the whole invocation when every record failed: Lambda then
                # returns the whole batch to the queue.
                error = raised
        run = Run(response, parse_output(self.capsys.readouterr().out), error)
        self.runs.append(run)
        return run


@dataclass
class Guard(FunctionRunner):
    last_event: dict[str, Any] = field(default_factory=dict)

    def __call__(self, *events: Any) -> Run:
        """One SQS batch holding `events` (dicts, or raw body text)."""
        self.last_event = sqs_event(list(events))
        return self.invoke(self.last_event)

    def failed_messages(self, run: Run) -> list[str]:
        """Messages SQS will deliver again: the failed items, or all when the batch failed."""
        if run.error is not None:
            return [record["messageId"] for record in self.last_event["Records"]]
        return [item["itemIdentifier"] for item in run.response["batchItemFailures"]]


@dataclass
class PushRecorder(FunctionRunner):
    def __call__(self, event: dict[str, Any]) -> Run:
        return self.invoke(event)


@pytest.fixture
def pushed(registry: Registry, push_recorder: PushRecorder) -> Any:
    """Push an image with tags to team/app (created on first use) and record each push."""

    def push(*tags: str, repository: str = "team/app", seed: str | None = None) -> str:
        existing = registry.client.describe_repositories()["repositories"]
        if repository not in {found["repositoryName"] for found in existing}:
            registry.create_repository(repository)
        digest = registry.push_image(repository, *tags, seed=seed)
        for tag in tags or (None,):
            push_recorder(push_event(repository, digest, tag))
        return digest

    return push


@pytest.fixture
def guard(stack: Stack, capsys: pytest.CaptureFixture[str], calls: CallRecorder) -> Guard:
    return Guard(GUARD, capsys, calls)


@pytest.fixture
def push_recorder(
    stack: Stack, capsys: pytest.CaptureFixture[str], calls: CallRecorder
) -> PushRecorder:
    return PushRecorder(PUSH_RECORDER, capsys, calls)


def pytest_configure(config: pytest.Config) -> None:
    # Powertools warns when an invocation adds no metric to its set (single metrics, such as
    # Decisions by verdict, are written at once); the warning says nothing about the guard.
    config.addinivalue_line("filterwarnings", "ignore:No application metrics to publish")
