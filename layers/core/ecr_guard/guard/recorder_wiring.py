"""Putting the push recorder together, once per cold start."""

from __future__ import annotations

from collections.abc import Mapping

from ecr_guard.adapters.clients import ClientFactory
from ecr_guard.adapters.ecr import EcrAdapter
from ecr_guard.adapters.ledger import Ledger
from ecr_guard.adapters.queue import GuardQueue
from ecr_guard.guard.config import GuardSettings, required_setting
from ecr_guard.guard.ports import MetricsPort
from ecr_guard.guard.recorder import PushRecorder


def build_push_recorder(
    environ: Mapping[str, str],
    *,
    account: str,
    metrics: MetricsPort,
    clients: ClientFactory | None = None,
) -> PushRecorder:
    settings = GuardSettings.from_environ(environ, role="push-recorder")
    clients = clients or ClientFactory()
    region = required_setting(settings.region, "AWS_REGION")
    return PushRecorder(
        settings=settings,
        ecr=EcrAdapter(clients),
        ledger=Ledger(
            clients,
            table_name=required_setting(settings.table_name, "ECR_GUARD_TABLE"),
            region=region,
        ),
        queue=GuardQueue(
            clients,
            queue_url=required_setting(settings.queue_url, "ECR_GUARD_QUEUE_URL"),
            region=region,
        ),
        metrics=metrics,
        account=account,
    )
