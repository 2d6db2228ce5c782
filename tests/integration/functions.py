"""The Lambda handlers (ecr_guard.handlers.<name>, which functions/<name>/app.py re-exports),
run in-process on a fresh import, and what they print: Powertools JSON log lines and CloudWatch
embedded-format metrics."""

from __future__ import annotations

import importlib
import json
import logging
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from aws_lambda_powertools.logging.constants import LOGGER_ATTRIBUTE_PRECONFIGURED

from tests.integration.stack import ACCOUNT, REGION

GUARD = "guard"
PUSH_RECORDER = "push_recorder"
SLACK_NOTIFIER = "slack_notifier"
FUNCTION_NAMES = {
    GUARD: "ecr-guard-GuardFunction",
    PUSH_RECORDER: "ecr-guard-PushRecorder",
    SLACK_NOTIFIER: "ecr-guard-SlackNotifier",
}


def load_handler(name: str) -> ModuleType:
    """A fresh import of the handler module: a new execution environment (cold start)."""
    # A new environment starts with unconfigured logging; Powertools would otherwise reuse the
    # handler (and the captured stdout) of the previous test's environment.
    service_logger = logging.getLogger("ecr-guard")
    service_logger.handlers.clear()
    for attribute in (LOGGER_ATTRIBUTE_PRECONFIGURED, "powertools_handler"):
        if hasattr(service_logger, attribute):
            delattr(service_logger, attribute)
    module_name = f"ecr_guard.handlers.{name}"
    sys.modules.pop(module_name, None)
    module = importlib.import_module(module_name)
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
