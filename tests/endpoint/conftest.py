"""Shared pieces for the endpoint tests: one moto server for the module (each test makes its own stream), clients
bound to it that ignore the developer's AWS setup, and readers that prove what reached the stream."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import pytest

from components.core.data_dictionary import load_record_schema
from components.core.endpoint import EndpointDefinition, endpoint_definition
from ingest.local.emulator import Emulator
from ingest.local.gateway_server import SignedKinesis
from tests.sample_records import sample_record

REGION = "us-east-1"
_streams = itertools.count()


@dataclass(frozen=True)
class StreamRecord:
    data: bytes
    partition_key: str
    shard_id: str


@dataclass(frozen=True)
class KinesisOnMoto:
    emulator: Emulator
    signed: SignedKinesis
    """Posts raw Kinesis JSON requests, as API Gateway's integration does."""

    @property
    def client(self) -> Any:
        return self.emulator.client("kinesis")

    def new_stream(self, shards: int = 2) -> str:
        name = f"endpoint-test-{next(_streams)}"
        self.client.create_stream(StreamName=name, ShardCount=shards)
        self.client.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
        return name

    def read(self, stream: str) -> list[StreamRecord]:
        """Every record of every shard, in shard order then sequence order."""
        client = self.client
        records = []
        for shard in client.list_shards(StreamName=stream)["Shards"]:
            iterator = client.get_shard_iterator(
                StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            while iterator:
                response = client.get_records(ShardIterator=iterator, Limit=10_000)
                records += [StreamRecord(r["Data"], r["PartitionKey"], shard["ShardId"]) for r in response["Records"]]
                iterator = response.get("NextShardIterator") if response["Records"] else None
        return records


@pytest.fixture(scope="module")
def kinesis(moto_server: str) -> KinesisOnMoto:
    emulator = Emulator(endpoint_url=moto_server, region=REGION)
    return KinesisOnMoto(
        emulator, SignedKinesis(moto_server, region=REGION, credentials=emulator.session.get_credentials())
    )


@pytest.fixture(scope="session")
def definition() -> EndpointDefinition:
    return endpoint_definition(load_record_schema(), cors_origins=["https://app.example.com"])


@pytest.fixture
def record() -> dict[str, Any]:
    return sample_record()


def decoded(data: bytes) -> dict[str, Any]:
    return json.loads(data.decode("utf-8"))
