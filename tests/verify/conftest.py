from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.verify.builders import BUCKET

REGION = "us-east-1"


@pytest.fixture
def s3(aws_env: None) -> Iterator[Any]:
    """In-process moto S3 with the (empty) destination bucket."""
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


@dataclass
class FakeClock:
    """A monotonic clock that only moves when the check sleeps; `on_sleep` runs first (e.g. a delivery)."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)
    on_sleep: Callable[[int], None] | None = None
    """Called with the number of the sleep (1, 2, ...)."""

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if self.on_sleep is not None:
            self.on_sleep(len(self.slept))
        self.now += seconds


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()
