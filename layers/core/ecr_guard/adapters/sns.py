"""Amazon SNS: one notification per subject decision on the guard topic."""

from __future__ import annotations

from collections.abc import Mapping

from botocore.exceptions import BotoCoreError, ClientError

from ecr_guard.adapters.clients import ClientFactory, error_code, error_message
from ecr_guard.errors import AwsError


def topic_region(topic_arn: str) -> str:
    """The region field of a topic ARN (`arn:aws:sns:<region>:<account>:<name>`)."""
    parts = topic_arn.split(":")
    if len(parts) < 6 or parts[2] != "sns" or not parts[3]:
        raise AwsError(f"{topic_arn!r} is not an SNS topic ARN")
    return parts[3]


class Publisher:
    """Publishes to one topic, in the topic's own region."""

    def __init__(self, clients: ClientFactory, *, topic_arn: str):
        self._clients = clients
        self._topic_arn = topic_arn
        self._region = topic_region(topic_arn)

    def publish(
        self,
        *,
        subject: str,
        message: str,
        attributes: Mapping[str, str],
        message_structure: str | None = "json",
    ) -> str:
        """Publish one message with String attributes; returns the SNS message id.

        With `message_structure="json"`, `message` is a JSON object of bodies per protocol.
        """
        client = self._clients.sns(self._region)
        message_attributes = {
            name: {"DataType": "String", "StringValue": value}
            for name, value in attributes.items()
            if value
        }
        try:
            if message_structure:
                response = client.publish(
                    TopicArn=self._topic_arn,
                    Subject=subject,
                    Message=message,
                    MessageStructure=message_structure,
                    MessageAttributes=message_attributes,  # type: ignore[arg-type]
                )
            else:
                response = client.publish(
                    TopicArn=self._topic_arn,
                    Subject=subject,
                    Message=message,
                    MessageAttributes=message_attributes,  # type: ignore[arg-type]
                )
        except ClientError as error:
            raise AwsError(
                f"{self._topic_arn}: Publish: {error_code(error)}: {error_message(error)}"
            ) from error
        except BotoCoreError as error:
            raise AwsError(f"{self._topic_arn}: Publish: {error}") from error
        return str(response.get("MessageId", ""))
