"""AWS Systems Manager Parameter Store: the policy YAML, through Powertools Parameters."""

from __future__ import annotations

from ecr_guard.adapters.clients import ClientFactory
from ecr_guard.errors import ConfigError

POLICY_PARAMETER_VARIABLE = "ECR_GUARD_POLICY_PARAMETER"
# Cached for five minutes: the policy is read once per cold start, and a second read within an
# execution environment's life costs no call.
CACHE_SECONDS = 300


def read_policy_parameter(clients: ClientFactory, *, region: str, name: str) -> str:
    """The text of the policy parameter; ConfigError naming the variable when it cannot be read."""
    # Powertools Parameters is imported only by a guard whose policy lives in SSM, at its cold
    # start; the handler's import does not pay for it.
    from aws_lambda_powertools.utilities.parameters import SSMProvider  # noqa: PLC0415
    from aws_lambda_powertools.utilities.parameters.exceptions import (  # noqa: PLC0415
        GetParameterError,
    )

    provider = SSMProvider(boto3_client=clients.ssm(region))
    try:
        value = provider.get(name, max_age=CACHE_SECONDS)
    except GetParameterError as error:
        raise ConfigError(f"{POLICY_PARAMETER_VARIABLE}: cannot read {name!r}: {error}") from error
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{POLICY_PARAMETER_VARIABLE}: parameter {name!r} is empty")
    return value
