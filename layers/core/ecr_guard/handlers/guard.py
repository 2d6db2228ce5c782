"""GuardFunction: evaluates the images named by the guard queue's records (an SQS batch).

Each record body is an EventBridge event (ECR, Inspector, S3, CI) or the push recorder's
"evaluate index" request. Records that fail are reported back as batch item failures, so SQS
retries only those, and after five receives moves them to the dead-letter queue.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ecr_guard.guard.config import function_account
from ecr_guard.guard.service import Batch
from ecr_guard.guard.telemetry import PowertoolsMetrics
from ecr_guard.guard.wiring import GuardRuntime, build_guard

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)
# The package logs through standard loggers under `ecr_guard`; they share this JSON handler.
logging.getLogger("ecr_guard")
copy_config_to_registered_loggers(source_logger=logger, include={"ecr_guard"})


clock: Callable[[], datetime] | None = None
"""The time the guard judges by (waiver expiry, finding age, ledger times); None is the system's
UTC clock. Only `ecr-guard simulate` sets it, on its own fresh import of this module, so that a
scenario's time reaches the decision. Deliberately not an environment variable: nothing in a
deployed function's configuration can make it judge as of another day."""


@functools.cache
def runtime(account: str) -> GuardRuntime:
    """Settings, policy and adapters, built once per execution environment."""
    return build_guard(os.environ, account=account, metrics=PowertoolsMetrics(metrics), clock=clock)


def handle_record(record: SQSRecord, *, guard: GuardRuntime, batch: Batch) -> None:
    try:
        body = json.loads(record.body)
    except ValueError:
        logger.info("event ignored", extra={"reason": "not-json", "message_id": record.message_id})
        guard.metrics.count("EventsIgnored")
        return
    if not isinstance(body, dict):
        logger.info(
            "event ignored", extra={"reason": "not-an-object", "message_id": record.message_id}
        )
        guard.metrics.count("EventsIgnored")
        return
    event_id = body.get("id")
    logger.set_correlation_id(event_id if isinstance(event_id, str) else record.message_id)
    try:
        guard.service.handle(body, batch)
    except Exception:
        logger.exception("record failed", extra={"message_id": record.message_id})
        guard.metrics.count("Errors")
        raise


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    guard = runtime(function_account(context.invoked_function_arn))
    guard.start_invocation(context)
    return process_partial_response(
        event=event,
        record_handler=functools.partial(handle_record, guard=guard, batch=Batch()),
        processor=processor,
        context=context,
    )
