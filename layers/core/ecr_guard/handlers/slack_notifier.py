"""SlackNotifierFunction: delivers the guard topic's decisions to Slack (and AWS Chatbot).

SNS invokes it asynchronously, one message an invocation. A delivery that still fails after
its bounded retries raises: Lambda retries the invocation twice, then sends the event to the
notifier's dead-letter queue, where an alarm sees it. Webhook URLs are never logged.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from ecr_guard.guard.telemetry import PowertoolsMetrics
from ecr_guard.notify.notifier import ChatNotifier
from ecr_guard.notify.wiring import build_notifier

logger = Logger()
metrics = Metrics()
logging.getLogger("ecr_guard")
copy_config_to_registered_loggers(source_logger=logger, include={"ecr_guard"})


@functools.cache
def notifier() -> ChatNotifier:
    """Settings and channels, built once per execution environment."""
    return build_notifier(os.environ, metrics=PowertoolsMetrics(metrics))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    delivered = []
    for record in SNSEvent(event).records:
        logger.set_correlation_id(record.sns.message_id)
        delivery = notifier().deliver(record.sns.message)
        delivered.append(
            {"slack": delivery.slack, "chatbot": delivery.chatbot, "ignored": delivery.ignored}
        )
    return {"delivered": delivered}
