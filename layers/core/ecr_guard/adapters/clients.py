"""boto3 clients, one per (service, region), created on first use.

Clients are built for the region an event names, never the function's own region by default
(replica regions get their own scans and events). Nothing is created at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ecr_guard import __version__
from ecr_guard.errors import AwsError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient

Service = Literal["ecr", "s3", "sns", "sqs", "dynamodb", "ssm", "secretsmanager"]

# PutImage shares about 10 requests a second per account and region with every `docker push`:
# adaptive mode adds client-side rate limiting once ECR starts throttling, on top of retries.
# Everything else uses standard mode (retries with jittered backoff on throttling and 5xx).
_ADAPTIVE_SERVICES = frozenset({"ecr"})
_MAX_ATTEMPTS = 8


def client_config(service: Service) -> Config:
    """The botocore configuration every ecr-guard client uses for `service`."""
    mode: Literal["adaptive", "standard"] = (
        "adaptive" if service in _ADAPTIVE_SERVICES else "standard"
    )
    return Config(
        retries={"mode": mode, "max_attempts": _MAX_ATTEMPTS},
        user_agent_extra=f"ecr-guard/{__version__}",
    )


class ClientFactory:
    """Builds and caches clients per (service, region) for one execution environment or command.

    `profile` selects a named profile of the user's AWS configuration (CLI only); the Lambda
    functions use the execution role's credentials.
    """

    def __init__(self, *, profile: str | None = None, session: boto3.Session | None = None):
        self._profile = profile
        self._session = session
        self._clients: dict[tuple[str, str], Any] = {}

    @property
    def session(self) -> boto3.Session:
        if self._session is None:
            try:
                self._session = boto3.Session(profile_name=self._profile)
            except BotoCoreError as error:
                raise AwsError(f"AWS profile {self._profile!r}: {error}") from error
        return self._session

    def default_region(self) -> str | None:
        """The region of the user's configuration or environment, if any."""
        return self.session.region_name

    def partition(self, region: str) -> str:
        """`aws`, `aws-cn` or `aws-us-gov`, for building ARNs."""
        return self.session.get_partition_for_region(region)

    def ecr(self, region: str) -> ECRClient:
        client: ECRClient = self._client("ecr", region)
        return client

    def s3(self, region: str) -> S3Client:
        client: S3Client = self._client("s3", region)
        return client

    def sns(self, region: str) -> SNSClient:
        client: SNSClient = self._client("sns", region)
        return client

    def sqs(self, region: str) -> SQSClient:
        client: SQSClient = self._client("sqs", region)
        return client

    def dynamodb(self, region: str) -> DynamoDBClient:
        client: DynamoDBClient = self._client("dynamodb", region)
        return client

    def ssm(self, region: str) -> SSMClient:
        client: SSMClient = self._client("ssm", region)
        return client

    def secretsmanager(self, region: str) -> SecretsManagerClient:
        client: SecretsManagerClient = self._client("secretsmanager", region)
        return client

    def _client(self, service: Service, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service,
                region_name=region,
                config=client_config(service),
            )
        return self._clients[key]


def error_code(error: ClientError) -> str:
    """The AWS error code of a botocore ClientError (`ImageNotFoundException`…)."""
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", "")) or str(error)
