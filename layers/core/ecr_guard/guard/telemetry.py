"""Metrics as CloudWatch embedded metric format, through Powertools Metrics (namespace
`EcrGuard` from POWERTOOLS_METRICS_NAMESPACE)."""

from __future__ import annotations

from collections.abc import Mapping

from aws_lambda_powertools import Metrics, single_metric
from aws_lambda_powertools.metrics import MetricUnit


class PowertoolsMetrics:
    """The guard's MetricsPort on a Powertools `Metrics` instance.

    A metric with its own dimensions (`Decisions` by verdict) is written at once as a single
    metric; the others are added to the invocation's metric set, flushed by `log_metrics`.
    """

    def __init__(self, metrics: Metrics):
        self._metrics = metrics

    def count(
        self, name: str, value: int = 1, *, dimensions: Mapping[str, str] | None = None
    ) -> None:
        if not dimensions:
            self._metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
            return
        with single_metric(
            name=name,
            unit=MetricUnit.Count,
            value=value,
            namespace=self._metrics.namespace,
            default_dimensions=self._metrics.default_dimensions,
        ) as metric:
            for dimension, dimension_value in dimensions.items():
                metric.add_dimension(name=dimension, value=dimension_value)
