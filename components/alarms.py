"""The one CloudWatch alarm builder of the package: the pipeline's stream and delivery alarms and the ingest job's
queue alarms are each an `AlarmSpec`, built the same way, on the same period, with the same actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import pulumi
import pulumi_aws as aws

ALARM_PERIOD_SECONDS = 300
"""Five minutes: the period of every alarm; "for 15 minutes" in a description means three periods."""


class AlarmSpec(NamedTuple):
    suffix: str
    """Appended to the component's name: the alarm's resource name."""
    namespace: str
    metrics: tuple[str, ...]
    """One metric, or several whose sum is watched (a metric math alarm)."""
    dimensions: Mapping[str, pulumi.Input[str]]
    statistic: str
    comparison: str
    threshold: float
    periods: int
    description: str


def metric_alarm(
    owner: str,
    spec: AlarmSpec,
    *,
    topic_arn: pulumi.Input[str] | None,
    tags: pulumi.Input[Mapping[str, str]],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.MetricAlarm:
    """Missing data is not breaching: a stream or queue nobody uses publishes no points and must stay quiet. The
    topic hears both the alarm and its recovery."""
    actions = [topic_arn] if topic_arn is not None else []
    single = len(spec.metrics) == 1
    return aws.cloudwatch.MetricAlarm(
        f"{owner}-{spec.suffix}",
        alarm_description=spec.description,
        namespace=spec.namespace if single else None,
        metric_name=spec.metrics[0] if single else None,
        dimensions=spec.dimensions if single else None,
        statistic=spec.statistic if single else None,
        period=ALARM_PERIOD_SECONDS if single else None,
        metric_queries=None if single else _summed(spec),
        comparison_operator=spec.comparison,
        threshold=spec.threshold,
        evaluation_periods=spec.periods,
        treat_missing_data="notBreaching",
        alarm_actions=actions,
        ok_actions=actions,
        tags=tags,
        opts=opts,
    )


def _summed(spec: AlarmSpec) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgsDict]:
    """Several metrics summed by one metric math expression, missing points counted as 0: the one time series an
    alarm on an expression watches
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create-alarm-on-metric-math-expression.html)."""
    queries: list[aws.cloudwatch.MetricAlarmMetricQueryArgsDict] = [
        {
            "id": f"m{position}",
            "metric": {
                "namespace": spec.namespace,
                "metric_name": metric,
                "dimensions": spec.dimensions,
                "stat": spec.statistic,
                "period": ALARM_PERIOD_SECONDS,
            },
            "return_data": False,
        }
        for position, metric in enumerate(spec.metrics, start=1)
    ]
    filled = ", ".join(f"FILL(m{position}, 0)" for position in range(1, len(spec.metrics) + 1))
    return [*queries, {"id": "total", "expression": f"SUM([{filled}])", "label": spec.suffix, "return_data": True}]
