"""The hand-written KPL encoder against aws-kinesis-agg, the reference decoder: every aggregate must de-aggregate
to exactly the records put in, with its MD5 digest checked (the decoder marks a record whose digest fails as not
aggregated and passes it through whole)."""

import base64
import hashlib
import random

import pytest
from aws_kinesis_agg.aggregator import AggRecord
from aws_kinesis_agg.deaggregator import iter_deaggregate_records

from components.core.limits import MIB
from ingest.publishing import OutgoingRecord
from ingest.publishing.aggregation import AggregatingPacker, KeyedAggregate
from ingest.publishing.kpl import MAGIC, aggregate, record_header, varint


def reference_decode(data: bytes, partition_key: str = "k") -> list[tuple[str, bytes, bool]]:
    """(partition key, data, de-aggregated with a good digest) of each user record, by aws-kinesis-agg."""
    record = {"Data": data, "PartitionKey": partition_key, "SequenceNumber": "0", "ApproximateArrivalTimestamp": 0}
    users = []
    for user in iter_deaggregate_records([record], data_format="Boto3"):
        fields = user["kinesis"]
        aggregated = bool(fields.get("aggregated"))
        payload = base64.b64decode(fields["data"]) if aggregated else fields["data"]
        users.append((fields["partitionKey"], payload, aggregated))
    return users


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 16383, 16384, 2**21, 2**35 + 7])
def test_varints_are_protobufs(value):
    from google.protobuf.internal.encoder import _VarintBytes

    assert varint(value) == _VarintBytes(value)


@pytest.mark.parametrize("sizes", [[0, 1], [127, 128, 129], [16383, 16384, 100_000], [330] * 50])
def test_an_aggregate_decodes_to_its_records_with_a_good_digest(sizes):
    rng = random.Random(sum(sizes))
    records = [rng.randbytes(size) for size in sizes]
    framed = [part for data in records for part in (record_header(0, len(data)), data)]
    data = aggregate([b"key"], framed)
    assert data.startswith(MAGIC)
    assert data[-16:] == hashlib.md5(data[4:-16]).digest()
    assert reference_decode(data) == [("key", record, True) for record in records]


def test_the_bytes_equal_aws_kinesis_aggs_own_encoding():
    reference = AggRecord(MIB)
    records = [f"record {index}".encode() * (index + 1) for index in range(40)]
    for data in records:
        reference.add_user_record(b"0123456789abcdef0123456789abcdef", data)
    framed = [part for data in records for part in (record_header(0, len(data)), data)]
    assert aggregate([b"0123456789abcdef0123456789abcdef"], framed) == reference.get_contents()[2]


@pytest.mark.parametrize("max_bytes", [2_000, 25_000, None])
def test_the_packer_fills_aggregates_within_the_limit_and_loses_no_record(max_bytes):
    rng = random.Random(3)
    packer = AggregatingPacker(rng, max_bytes=max_bytes)
    records = [OutgoingRecord(rng.randbytes(rng.randint(1, 900)), index) for index in range(6000)]
    entries = [entry for record in records for entry in packer.add(record)] + packer.flush()
    limit = max_bytes or MIB
    decoded = []
    for entry in entries:
        assert entry.size <= limit
        users = reference_decode(entry.data, entry.partition_key)
        assert len(users) == len(entry.refs)
        if len(entry.refs) > 1:
            assert all(aggregated for _, _, aggregated in users)
            assert {key for key, _, _ in users} == {entry.partition_key}
        decoded.extend(data for _, data, _ in users)
    assert decoded == [record.data for record in records]
    assert [ref for entry in entries for ref in entry.refs] == list(range(6000))


def test_keyed_aggregates_keep_each_records_key_in_order():
    aggregate_ = KeyedAggregate(10_000)
    records = [OutgoingRecord(f"r{index}".encode(), index, f"key-{index % 3}") for index in range(30)]
    for record in records:
        assert aggregate_.add(record, record.partition_key)
    entry = aggregate_.seal()
    users = reference_decode(entry.data, entry.partition_key)
    assert [(key, data) for key, data, _ in users] == [(record.partition_key, record.data) for record in records]
    assert entry.partition_key == "key-0" and entry.size <= 10_000


def test_a_keyed_aggregate_refuses_what_does_not_fit_and_keeps_what_it_has():
    aggregate_ = KeyedAggregate(200)
    assert aggregate_.add(OutgoingRecord(b"a" * 100, 0, "k"), "k")
    assert not aggregate_.add(OutgoingRecord(b"b" * 100, 1, "other"), "other")
    assert aggregate_.held_refs == [0]
    assert aggregate_.seal().data == b"a" * 100  # a lone record goes plain
