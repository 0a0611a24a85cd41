"""Read what was published: a Kinesis stream's records, every shard, KPL aggregates taken apart.

One place for what the relay (the Firehose stand-in), `verify`'s error pages, the reliability checks and the
tests each did by hand. De-aggregation is aws-kinesis-agg's (the KPL format's reference reader): it checks each
aggregate's MD5 and passes a record that is not an aggregate (or fails its check) through whole.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_kinesis_agg.deaggregator import iter_deaggregate_records

from ingest.publishing.stream import stream_parameter

GET_RECORDS_LIMIT = 10_000
"""The most GetRecords returns in one call."""


@dataclass(frozen=True)
class UserRecord:
    """One user record as stored: its data, and where it sits in the stream."""

    data: bytes
    partition_key: str
    sequence_number: str
    """The Kinesis record's: all user records of one aggregate share it."""
    sub_sequence_number: int | None
    """Position in its aggregate; None for a record that was not aggregated."""
    explicit_hash_key: str | None = None
    shard_id: str | None = None
    arrival: datetime | None = None
    """ApproximateArrivalTimestamp of the Kinesis record."""

    @property
    def aggregated(self) -> bool:
        return self.sub_sequence_number is not None


def user_records(record: Mapping[str, Any], *, shard_id: str | None = None) -> Iterator[UserRecord]:
    """The user records of one GetRecords record: itself, or every record of its KPL aggregate."""
    boto3_record = {
        "Data": record["Data"],
        "PartitionKey": record["PartitionKey"],
        "SequenceNumber": record["SequenceNumber"],
        "ApproximateArrivalTimestamp": record.get("ApproximateArrivalTimestamp"),
    }
    arrival = record.get("ApproximateArrivalTimestamp")
    for user in iter_deaggregate_records([boto3_record], data_format="Boto3"):
        fields = user["kinesis"]
        aggregated = bool(fields.get("aggregated"))
        yield UserRecord(
            data=base64.b64decode(fields["data"]) if aggregated else fields["data"],
            partition_key=fields["partitionKey"],
            sequence_number=fields["sequenceNumber"],
            sub_sequence_number=fields["subSequenceNumber"] if aggregated else None,
            explicit_hash_key=fields.get("explicitHashKey") if aggregated else record.get("ExplicitHashKey"),
            shard_id=shard_id,
            arrival=arrival if isinstance(arrival, datetime) else None,
        )


def user_payloads(data: bytes) -> Iterator[bytes]:
    """The user records' data in one Kinesis record's data blob (for callers that hold the blob alone)."""
    record = {"Data": data, "PartitionKey": "", "SequenceNumber": "0"}
    for user in user_records(record):
        yield user.data


def read_stream(client: Any, stream: str, *, limit: int = GET_RECORDS_LIMIT) -> Iterator[UserRecord]:
    """Every user record in every shard of `stream` (name or ARN), oldest first within a shard, duplicates
    included; a shard is read until GetRecords answers with no records."""
    where = stream_parameter(stream)
    for page in client.get_paginator("list_shards").paginate(**where):
        for shard in page["Shards"]:
            shard_id = shard["ShardId"]
            iterator = client.get_shard_iterator(**where, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")[
                "ShardIterator"
            ]
            while iterator:
                # By ARN the service wants the ARN with the iterator too (the name is not accepted here).
                response = client.get_records(ShardIterator=iterator, Limit=limit, **_arn_only(where))
                if not response["Records"]:
                    break
                for record in response["Records"]:
                    yield from user_records(record, shard_id=shard_id)
                iterator = response.get("NextShardIterator")


def _arn_only(where: Mapping[str, str]) -> dict[str, str]:
    return {"StreamARN": where["StreamARN"]} if "StreamARN" in where else {}
