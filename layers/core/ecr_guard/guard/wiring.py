"""Putting the guard together: settings, policy, adapters and services, once per cold start.

The guard's handler calls `build_guard` on the first invocation of an execution environment
(clients are created for the regions events name, when first needed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ecr_guard.adapters.clients import ClientFactory
from ecr_guard.adapters.ecr import EcrAdapter
from ecr_guard.adapters.ledger import Ledger
from ecr_guard.adapters.parameters import read_policy_parameter
from ecr_guard.adapters.s3 import ReportStore
from ecr_guard.adapters.sns import Publisher
from ecr_guard.errors import ConfigError
from ecr_guard.guard.config import GuardSettings, required_setting
from ecr_guard.guard.intake import Intake
from ecr_guard.guard.job_reads import JobScopedEcr
from ecr_guard.guard.ports import MetricsPort
from ecr_guard.guard.quarantine import Quarantiner
from ecr_guard.guard.service import REPLAYED, GuardService
from ecr_guard.guard.subjects import SubjectSettler
from ecr_guard.policy.load import load_policy, parse_policy
from ecr_guard.policy.model import Policy

IDEMPOTENCY_KEY = "fact"
IDEMPOTENCY_SECONDS = 3 * 24 * 3600
"""Longer than the guard queue keeps a message, so any redelivery finds its record."""


def load_guard_policy(settings: GuardSettings, clients: ClientFactory) -> Policy:
    """The policy: the SSM parameter, else the packaged file, else the built-in default.

    Validated completely here, so a bad policy fails the cold start with its problems named.
    """
    if settings.policy_parameter:
        region = settings.region or clients.default_region()
        if not region:
            raise ConfigError("AWS_REGION: required to read ECR_GUARD_POLICY_PARAMETER")
        name = settings.policy_parameter
        text = read_policy_parameter(clients, region=region, name=name)
        return parse_policy(text, origin=f"ssm parameter {name}")
    return load_policy(Path(settings.policy_file) if settings.policy_file else None)


@dataclass(frozen=True)
class GuardRuntime:
    """Everything the guard function builds once per execution environment."""

    settings: GuardSettings
    service: GuardService
    metrics: MetricsPort
    idempotency: IdempotencyConfig
    clients: ClientFactory

    def start_invocation(self, context: LambdaContext) -> None:
        """Idempotency records expire with the invocation's remaining time in mind."""
        self.idempotency.register_lambda_context(context)


def _mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:
    """Powertools calls this when it returns a stored result instead of running the work."""
    del idempotent_data
    return {**response, REPLAYED: True} if isinstance(response, dict) else response


def build_guard(
    environ: Mapping[str, str],
    *,
    account: str,
    metrics: MetricsPort,
    clients: ClientFactory | None = None,
    clock: Callable[[], datetime] | None = None,
) -> GuardRuntime:
    settings = GuardSettings.from_environ(environ, role="guard")
    clients = clients or ClientFactory()
    region = _required(settings.region, "AWS_REGION")
    table = _required(settings.table_name, "ECR_GUARD_TABLE")
    policy = load_guard_policy(settings, clients)

    ecr = JobScopedEcr(EcrAdapter(clients))
    ledger = Ledger(clients, table_name=table, region=region)
    now = clock or (lambda: datetime.now(UTC))
    settler = SubjectSettler(
        settings=settings,
        ecr=ecr,
        ledger=ledger,
        publisher=Publisher(
            clients, topic_arn=_required(settings.topic_arn, "ECR_GUARD_TOPIC_ARN")
        ),
        metrics=metrics,
        quarantiner=Quarantiner(ecr, ledger, settings),
        clock=now,
        routing=policy.notifications,
    )
    intake = Intake(
        ecr=ecr,
        reports=ReportStore(clients, region=region),
        reports_bucket=_required(settings.reports_bucket, "ECR_GUARD_REPORTS_BUCKET"),
    )
    config = IdempotencyConfig(
        expires_after_seconds=IDEMPOTENCY_SECONDS,
        raise_on_no_idempotency_key=True,
        response_hook=_mark_replayed,
    )
    persistence = DynamoDBPersistenceLayer(
        table_name=table,
        key_attr="pk",
        sort_key_attr="sk",
        expiry_attr="expiration",
        static_pk_value=f"idempotency#{settings.function_name or 'ecr-guard'}",
        boto3_client=clients.dynamodb(region),
    )
    service = GuardService(
        settings=settings,
        policy=policy,
        account=account,
        intake=intake,
        ecr=ecr,
        ledger=ledger,
        settler=settler,
        metrics=metrics,
        idempotent=partial(
            idempotent_function,
            data_keyword_argument=IDEMPOTENCY_KEY,
            persistence_store=persistence,
            config=config,
        ),
        clock=now,
    )
    return GuardRuntime(
        settings=settings, service=service, metrics=metrics, idempotency=config, clients=clients
    )


def _required(value: str | None, variable: str) -> str:
    return required_setting(value, variable)
