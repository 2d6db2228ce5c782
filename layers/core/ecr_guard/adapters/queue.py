"""Amazon SQS: the push recorder's requests to the guard queue."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from ecr_guard.adapters.clients import ClientFactory, error_code, error_message
from ecr_guard.errors import AwsError


class GuardQueue:
    """Sends messages to the guard queue (the function's own region)."""

    def __init__(self, clients: ClientFactory, *, queue_url: str, region: str):
        self._clients = clients
        self._queue_url = queue_url
        self._region = region

    def send(self, body: str) -> str:
        """Queue one message; returns its message id."""
        try:
            response = self._clients.sqs(self._region).send_message(
                QueueUrl=self._queue_url, MessageBody=body
            )
        except ClientError as error:
            raise AwsError(
                f"{self._queue_url}: SendMessage: {error_code(error)}: {error_message(error)}"
            ) from error
        except BotoCoreError as error:
            raise AwsError(f"{self._queue_url}: SendMessage: {error}") from error
        return str(response.get("MessageId", ""))
