"""The Lambda functions, run in this process as Lambda runs them.

Each function is its handler module (`ecr_guard.handlers.<name>`, which functions/<name>/app.py
re-exports for SAM), imported fresh for each execution environment (a cold start), with the
function's environment variables set around the import and each invocation, and a Lambda-like
context. What it prints (Powertools JSON logs and embedded-format metrics) is captured.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import logging
import os
import sys
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any
from unittest import mock

from aws_lambda_powertools.logging.constants import LOGGER_ATTRIBUTE_PRECONFIGURED

SERVICE_LOGGER = "ecr-guard"
PACKAGE_LOGGER = "ecr_guard"
_POWERTOOLS_ATTRIBUTES = (LOGGER_ATTRIBUTE_PRECONFIGURED, "powertools_handler")
_REMAINING_MILLIS = 60_000


@dataclass(frozen=True)
class LambdaContext:
    """The context Lambda passes to a handler."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    log_group_name: str = "/aws/lambda/ecr-guard"
    log_stream_name: str = "simulated"

    def get_remaining_time_in_millis(self) -> int:
        return _REMAINING_MILLIS


@dataclass(frozen=True)
class Invocation:
    """One invocation: what the handler returned or raised, and what it printed."""

    function: str
    response: Any
    error: BaseException | None
    logs: tuple[dict[str, Any], ...]
    metrics: Counter[str]
    cold_start: bool
    request_id: str

    def messages(self, message: str) -> list[dict[str, Any]]:
        return [record for record in self.logs if record.get("message") == message]


@dataclass
class FunctionOutput:
    """Everything the functions print, read back after each invocation."""

    buffer: io.StringIO = field(default_factory=io.StringIO)
    read: int = 0

    def take(self) -> str:
        text = self.buffer.getvalue()[self.read :]
        self.read += len(text)
        return text


class FunctionHost:
    """One Lambda function: a fresh module per execution environment, invoked in-process."""

    def __init__(
        self,
        *,
        logical_id: str,
        module_name: str,
        function_name: str,
        function_arn: str,
        output: FunctionOutput,
    ):
        self.logical_id = logical_id
        self.module_name = module_name
        self.function_name = function_name
        self.function_arn = function_arn
        self._output = output
        self._module: ModuleType | None = None
        self.clock: Callable[[], datetime] | None = None

    def cold_start(self) -> None:
        """The next invocation starts a new execution environment."""
        self._module = None

    def invoke(self, event: Mapping[str, Any], environment: Mapping[str, str]) -> Invocation:
        cold = self._module is None
        request_id = str(uuid.uuid4())
        context = LambdaContext(
            function_name=self.function_name,
            invoked_function_arn=self.function_arn,
            aws_request_id=request_id,
        )
        response: Any = None
        error: BaseException | None = None
        with self._environment(environment):
            module = self._load() if self._module is None else self._module
            try:
                response = module.lambda_handler(dict(event), context)
            except Exception as raised:  # Lambda reports any error of the handler
                error = raised
        logs, metrics = parse_output(self._output.take())
        return Invocation(self.logical_id, response, error, logs, metrics, cold, request_id)

    def close(self) -> None:
        self._module = None
        sys.modules.pop(self.module_name, None)

    @contextlib.contextmanager
    def _environment(self, environment: Mapping[str, str]) -> Iterator[None]:
        with (
            mock.patch.dict(os.environ, environment),
            contextlib.redirect_stdout(self._output.buffer),
            warnings.catch_warnings(),
        ):
            # Powertools warns when an invocation adds no metric to its set (single metrics,
            # such as Decisions by verdict, are written at once); it says nothing here.
            warnings.filterwarnings("ignore", "No application metrics to publish")
            yield

    def _load(self) -> ModuleType:
        # A new execution environment starts with unconfigured logging; Powertools would
        # otherwise reuse the handler (and output) of the previous environment.
        reset_service_logger()
        sys.modules.pop(self.module_name, None)
        module = importlib.import_module(self.module_name)
        if hasattr(module, "clock"):
            handler: Any = module
            handler.clock = self.clock
        self._module = module
        return module


def reset_service_logger() -> None:
    service = logging.getLogger(SERVICE_LOGGER)
    service.handlers.clear()
    for attribute in _POWERTOOLS_ATTRIBUTES:
        if hasattr(service, attribute):
            delattr(service, attribute)


@contextlib.contextmanager
def function_hosts() -> Iterator[FunctionOutput]:
    """The shared output of the functions; logging is as it was before on the way out."""
    package = logging.getLogger(PACKAGE_LOGGER)
    saved = (list(package.handlers), package.level, package.propagate)
    output = FunctionOutput()
    try:
        yield output
    finally:
        reset_service_logger()
        package.handlers[:] = saved[0]
        package.setLevel(saved[1])
        package.propagate = saved[2]


def parse_output(text: str) -> tuple[tuple[dict[str, Any], ...], Counter[str]]:
    """Log records and metric totals from what the functions printed."""
    logs: list[dict[str, Any]] = []
    metrics: Counter[str] = Counter()
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if "_aws" not in record:
            logs.append(record)
            continue
        for directive in record["_aws"].get("CloudWatchMetrics", []):
            for metric in directive.get("Metrics", []):
                value = record.get(metric["Name"], 0)
                metrics[metric["Name"]] += int(sum(value) if isinstance(value, list) else value)
    return tuple(logs), metrics
