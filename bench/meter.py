"""Count what a producer sends, at the client boundary, the same way for every producer.

The figures come from the calls themselves rather than from each producer's own counters, so the
hand-written producers and ours are measured alike. Retries made inside botocore (its standard retry mode
resends a whole throttled HTTP request) are below this boundary and not seen here; the stand-in raises
no errors botocore would retry, since it is not a botocore client.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from bench.kinesis_limits import payload_units, record_size
from bench.standin import THROTTLED


@dataclass
class Meter:
    """Totals over every PutRecord/PutRecords call.

    `bytes_sent` counts every entry sent, resends included; `bytes_accepted` and `payload_units` count only
    the Kinesis records the stream accepted (aggregates count as one record each).
    """

    api_calls: int = 0
    entries_sent: int = 0
    bytes_sent: int = 0
    kinesis_records: int = 0
    bytes_accepted: int = 0
    payload_units: int = 0
    throttled_entries: int = 0
    failed_entries: int = 0
    """Entries refused for any other reason than throttling."""
    calls_throttled: int = 0
    """Calls in which at least one entry was throttled."""
    calls_fully_throttled: int = 0
    """Calls that achieved nothing: every entry throttled."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    """Calls may be counted from several threads (a producer with calls in flight)."""

    def count_call(self, entries: Sequence[Mapping[str, Any]], codes: Sequence[str | None]) -> None:
        with self._lock:
            self._count_call(entries, codes)

    def _count_call(self, entries: Sequence[Mapping[str, Any]], codes: Sequence[str | None]) -> None:
        self.api_calls += 1
        throttled = 0
        for entry, code in zip(entries, codes, strict=True):
            size = record_size(entry["Data"], entry["PartitionKey"])
            self.entries_sent += 1
            self.bytes_sent += size
            if code is None:
                self.kinesis_records += 1
                self.bytes_accepted += size
                self.payload_units += payload_units(size)
            elif code == THROTTLED:
                throttled += 1
            else:
                self.failed_entries += 1
        self.throttled_entries += throttled
        if throttled:
            self.calls_throttled += 1
            if throttled == len(entries):
                self.calls_fully_throttled += 1


class MeteredKinesis:
    """Wraps a Kinesis client (boto3's, the stand-in, the null sink) and meters PutRecord(s) calls."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.meter = Meter()

    def put_records(self, **request: Any) -> Any:
        entries = request["Records"]
        try:
            response = self._client.put_records(**request)
        except ClientError as exc:
            self.meter.count_call(entries, [_code(exc)] * len(entries))
            raise
        self.meter.count_call(entries, [result.get("ErrorCode") for result in response["Records"]])
        return response

    def put_record(self, **request: Any) -> Any:
        entry = {"Data": request["Data"], "PartitionKey": request["PartitionKey"]}
        try:
            response = self._client.put_record(**request)
        except ClientError as exc:
            self.meter.count_call([entry], [_code(exc)])
            raise
        self.meter.count_call([entry], [None])
        return response

    def __getattr__(self, name: str) -> Any:
        """Every other call (describe_stream_summary, list_shards, ...) passes through unmetered."""
        return getattr(self._client, name)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code") or "Unknown")
