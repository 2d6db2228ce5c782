"""The two Lambda handlers, loaded from functions/<name>/app.py and run in-process, and what
they print: Powertools JSON log lines and CloudWatch embedded-format metrics."""

from __future__ import annotations

import importlib.util
import json
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from aws_lambda_powertools.logging.constants import LOGGER_ATTRIBUTE_PRECONFIGURED

from tests.integration.stack import ACCOUNT, REGION

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
GUARD = "guard"
PUSH_RECORDER = "push_recorder"
FUNCTION_NAMES = {GUARD: "ecr-guard-GuardFunction", PUSH_RECORDER: "ecr-guard-PushRecorder"}


def load_handler(name: str) -> ModuleType:
    """A fresh copy of functions/<name>/app.py: a new execution environment (cold start)."""
    # A new environment starts with unconfigured logging; Powertools would otherwise reuse the
    # handler (and the captured stdout) of the previous test's environment.
    service_logger = logging.getLogger("ecr-guard")
    service_logger.handlers.clear()
    for attribute in (LOGGER_ATTRIBUTE_PRECONFIGURED, "powertools_handler"):
        if hasattr(service_logger, attribute):
            delattr(service_logger, attribute)
    spec = importlib.util.spec_from_file_location(
        f"ecr_guard_function_{name}", FUNCTIONS / name / "app.py"
    )
    if spec is None or spec.loader is None:
        raise ImportError(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class LambdaContext:
    function_name: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/test"
    log_stream_name: str = "test"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def sqs_event(bodies: list[Any]) -> dict[str, Any]:
    """An SQS batch as the guard's event source mapping delivers it."""
    records = []
    for number, body in enumerate(bodies):
        records.append(
            {
                "messageId": f"message-{number}",
                "receiptHandle": f"handle-{number}",
                "body": body if isinstance(body, str) else json.dumps(body),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1764763200000",
                    "SenderId": "events.amazonaws.com",
                    "ApproximateFirstReceiveTimestamp": "1764763200000",
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:ecr-guard-queue",
                "awsRegion": REGION,
            }
        )
    return {"Records": records}


@dataclass(frozen=True)
class Output:
    """What a run printed, split into log records and metric values."""

    logs: list[dict[str, Any]]
    metrics: Counter[str]
    dimensioned: list[tuple[str, dict[str, str]]]

    def messages(self, message: str) -> list[dict[str, Any]]:
        return [record for record in self.logs if record.get("message") == message]

    def decisions(self) -> list[dict[str, Any]]:
        return self.messages("decision")


def parse_output(text: str) -> Output:
    logs: list[dict[str, Any]] = []
    metrics: Counter[str] = Counter()
    dimensioned: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if "_aws" in record:
            for directive in record["_aws"]["CloudWatchMetrics"]:
                dimensions = {
                    name: record[name] for group in directive["Dimensions"] for name in group
                }
                for metric in directive["Metrics"]:
                    value = record[metric["Name"]]
                    total = sum(value) if isinstance(value, list) else value
                    metrics[metric["Name"]] += int(total)
                    dimensioned.append((metric["Name"], dimensions))
        else:
            logs.append(record)
    return Output(logs=logs, metrics=metrics, dimensioned=dimensioned)
