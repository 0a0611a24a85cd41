"""Two data products in one stack, each with its own TrackingPipeline.

The component reads no stack configuration and names every child resource after its own name, so two instances
only need different names. Each gets the settings that fit its traffic:
- clickstream: bursty user events. An on-demand stream scales by itself; small, frequent flushes keep the data
  fresh for dashboards; a day of retention is enough to replay a failed delivery.
- prices: a steady, small feed. One provisioned shard is cheapest; large buffers make fewer, bigger objects;
  a week of retention allows a late replay.
"""

from __future__ import annotations

import pulumi

from components import TrackingPipeline, TrackingPipelineArgs
from components.core.stack_outputs import BUCKET_NAME, DELIVERY_PREFIX, PRODUCER_POLICY_ARN, STREAM_NAME

stack = pulumi.get_stack()

DATA_PRODUCTS = {
    "clickstream": TrackingPipelineArgs(
        stream_mode="ON_DEMAND",
        retention_hours=24,
        data_prefix="clickstream/",
        buffering_size_mb=16,
        buffering_interval_seconds=60,
        log_retention_days=14,
        tags={"data-product": "clickstream", "environment": stack},
    ),
    "prices": TrackingPipelineArgs(
        stream_mode="PROVISIONED",
        shard_count=1,
        retention_hours=168,
        data_prefix="prices/",
        buffering_size_mb=128,
        buffering_interval_seconds=900,
        log_retention_days=90,
        tags={"data-product": "prices", "environment": stack},
    ),
}

for product, args in DATA_PRODUCTS.items():
    pipeline = TrackingPipeline(product, args=args)
    pulumi.export(
        product,
        {
            output.key: getattr(pipeline, output.attribute)
            for output in (STREAM_NAME, BUCKET_NAME, DELIVERY_PREFIX, PRODUCER_POLICY_ARN)
        },
    )
