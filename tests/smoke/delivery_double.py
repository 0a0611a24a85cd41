"""TEST DOUBLE: a stand-in for Firehose's stream-to-bucket delivery, for the smoke tests only.

moto stores a Kinesis-sourced delivery stream but never reads the stream, so without this nothing would
ever reach the bucket. It does the minimum a smoke test needs: read what is new on every shard, de-aggregate,
append the newline delimiter, write one GZIP object under the hour partition. It does not buffer by size or
interval, retry or write error records; the project's real local relay (`ingest.local`, used by the demo) is
the faithful one.
"""

from __future__ import annotations

import gzip
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from ingest.publishing.deaggregation import user_records
from ingest.records import Provenance, decode_record
from ingest.verify.listing import partition_folder


class DeliveryDouble:
    def __init__(
        self,
        kinesis: Any,
        s3: Any,
        *,
        stream: str,
        bucket: str,
        prefix: str,
        drop: Callable[[Provenance], bool] = lambda provenance: False,
    ) -> None:
        self._kinesis = kinesis
        self._s3 = s3
        self._stream = stream
        self._bucket = bucket
        self._prefix = prefix
        self._drop = drop
        self._iterators: dict[str, str] = {}
        self.keys: list[str] = []

    def deliver(self) -> int:
        """Write everything new on the stream as one object; returns how many records it wrote."""
        lines = [data + b"\n" for data in self._new_user_records() if not self._drop(decode_record(data)[1])]
        if lines:
            now = datetime.now(UTC)
            key = partition_folder(self._prefix, now) + f"{self._stream}-1-{now:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}.gz"
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=gzip.compress(b"".join(lines)))
            self.keys.append(key)
        return len(lines)

    def _new_user_records(self) -> Iterator[bytes]:
        for shard in self._kinesis.list_shards(StreamName=self._stream)["Shards"]:
            shard_id = shard["ShardId"]
            iterator = (
                self._iterators.get(shard_id)
                or self._kinesis.get_shard_iterator(
                    StreamName=self._stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            )
            while True:
                response = self._kinesis.get_records(ShardIterator=iterator, Limit=10_000)
                iterator = response["NextShardIterator"]
                for record in response["Records"]:
                    yield from (user.data for user in user_records(record))
                if not response["Records"]:
                    break
            self._iterators[shard_id] = iterator


@contextmanager
def delivering_in_background(
    double: DeliveryDouble, *, when: Callable[[], bool] = lambda: True, every: float = 0.1
) -> Iterator[DeliveryDouble]:
    """Deliver every `every` seconds, once `when()` holds, while the block runs (for a command running in
    another process). Like Firehose, the double delivers after the fact, not record by record."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            if when():
                double.deliver()

    thread = threading.Thread(target=loop, name="delivery-double", daemon=True)
    thread.start()
    try:
        yield double
    finally:
        stop.set()
        thread.join(timeout=10)
