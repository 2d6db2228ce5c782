"""SlackNotifierFunction's entry point for SAM: the handler lives in the layer's package."""

from ecr_guard.handlers.slack_notifier import lambda_handler

__all__ = ["lambda_handler"]
