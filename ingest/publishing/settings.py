"""A publisher's settings as `KinesisPublisher` resolved them: one frozen value its dispatcher, lanes and calls read."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from components.core.limits import KinesisLimits, ShardWriteLimits
from ingest.retry import RetryPolicy


@dataclass(frozen=True)
class PublisherSettings:
    client: Any
    stream_name: str
    stream: dict[str, str]
    aggregate: bool
    retry: RetryPolicy
    limits: KinesisLimits
    max_aggregate_bytes: int | None
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    rng: random.Random
    shard_aware: bool
    shard_limits: ShardWriteLimits
    max_in_flight: int
    max_buffered_bytes: int
