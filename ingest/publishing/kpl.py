"""The KPL aggregated-record format, written directly: many user records in one Kinesis record.

Format (the Kinesis Producer Library's `messages.proto`, the one aws-kinesis-agg and the KCL read): the 4-byte
magic, then a protobuf `AggregatedRecord` { repeated string partition_key_table = 1; repeated string
explicit_hash_key_table = 2; repeated Record records = 3 } where Record is { uint64 partition_key_index = 1;
optional uint64 explicit_hash_key_index = 2; bytes data = 3 }, then the MD5 digest of the protobuf bytes.

Written by hand rather than through aws-kinesis-agg's protobuf objects: a record costs one cached header and two
list appends here (`ingest.publishing.aggregation`), against ~10 us of protobuf bookkeeping there. aws-kinesis-agg
stays the reference decoder: the tests de-aggregate every aggregate with it and check the digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

MAGIC = b"\xf3\x89\x9a\xc2"
DIGEST_BYTES = 16
_PARTITION_KEY_TABLE = 0x0A  # field 1, length-delimited
_RECORDS = 0x1A  # field 3, length-delimited
_PARTITION_KEY_INDEX = 0x08  # Record field 1, varint
_DATA = 0x1A  # Record field 3, length-delimited
FRAMING_BYTES = len(MAGIC) + DIGEST_BYTES


def varint(value: int) -> bytes:
    """Protobuf's base-128 varint."""
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def key_table_entry(partition_key: bytes) -> bytes:
    """One entry of the partition-key table."""
    return bytes([_PARTITION_KEY_TABLE]) + varint(len(partition_key)) + partition_key


def record_header(key_index: int, data_length: int) -> bytes:
    """What precedes a user record's data: the records field's tag and length, the key index, the data's tag and
    length. It depends only on the two numbers, so callers cache it by length."""
    inner = bytes([_PARTITION_KEY_INDEX]) + varint(key_index) + bytes([_DATA]) + varint(data_length)
    return bytes([_RECORDS]) + varint(len(inner) + data_length) + inner


def aggregate(partition_keys: Sequence[bytes], framed_records: Sequence[bytes]) -> bytes:
    """The aggregated record: `framed_records` alternate headers (`record_header`) and data."""
    body = b"".join([*map(key_table_entry, partition_keys), *framed_records])
    return b"".join((MAGIC, body, hashlib.md5(body).digest()))
