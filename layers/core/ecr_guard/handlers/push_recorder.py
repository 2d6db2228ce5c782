"""PushRecorderFunction: records each pushed image in the ledger (invoked by EventBridge).

Failures propagate: Lambda retries the asynchronous invocation twice, then sends the event to
the push recorder's dead-letter queue.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

from ecr_guard.guard.config import function_account
from ecr_guard.guard.recorder import PushRecorder
from ecr_guard.guard.recorder_wiring import build_push_recorder
from ecr_guard.guard.telemetry import PowertoolsMetrics

logger = Logger()
metrics = Metrics()
logging.getLogger("ecr_guard")
copy_config_to_registered_loggers(source_logger=logger, include={"ecr_guard"})


@functools.cache
def recorder(account: str) -> PushRecorder:
    """Settings and adapters, built once per execution environment."""
    return build_push_recorder(os.environ, account=account, metrics=PowertoolsMetrics(metrics))


@logger.inject_lambda_context(correlation_id_path="id", clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    record = recorder(function_account(context.invoked_function_arn)).handle(event)
    return {
        "recorded": record.recorded,
        "kind": record.kind.value if record.kind else None,
        "children": record.children,
        "queued": record.queued,
        "ignored": record.ignored,
    }
