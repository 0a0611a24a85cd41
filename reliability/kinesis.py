"""Kinesis for the checks: read a stream back record by record, and a client that injects faults into PutRecords.

The faults are injected above botocore, on the object `publish` calls, so they reach the publisher exactly as
the service's answers would: a throttled entry comes back in a successful PutRecords response with its
`ErrorCode` (the real service's partial failure), a failed call raises botocore's `ClientError`. Entries that
are throttled are not forwarded, so what the stream holds afterwards is exactly what the publisher was told
had been accepted.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from ingest.publishing.deaggregation import read_stream as stream_records
from ingest.records import Provenance, decode_record

THROTTLED = "ProvisionedThroughputExceededException"
_CALL_ERROR_STATUS = {"InternalFailure": 500, "ServiceUnavailable": 503}
REFUSALS = {
    "UnrecognizedClientException": "The security token included in the request is invalid.",
    "AccessDeniedException": (
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: kinesis:DescribeStreamSummary "
        "because no identity-based policy allows the kinesis:DescribeStreamSummary action"
    ),
    "ExpiredTokenException": "The security token included in the request is expired",
}
"""Error codes of refused credentials, with the messages AWS sends along."""


def read_stream(client: Any, stream: str) -> Iterator[Provenance]:
    """The provenance of every user record in `stream`, de-aggregated, duplicates included."""
    for user in stream_records(client, stream):
        yield decode_record(user.data)[1]


CallFault = Callable[[int], str | None]
"""Given the 1-based number of a PutRecords call, the error code that whole call fails with, or None."""


@dataclass
class FaultCounts:
    calls: int = 0
    failed_calls: int = 0
    entries_sent: int = 0
    entries_throttled: int = 0


@dataclass
class FaultyKinesis:
    """A boto3 Kinesis client with faults injected into `put_records`; every other call goes through."""

    client: Any
    throttle_fraction: float = 0.0
    """Each entry of each call is throttled with this probability (seeded: the same run throttles the same)."""
    call_fault: CallFault | None = None
    refusal: str | None = None
    """An error code every call of this client is refused with (bad credentials): see REFUSALS."""
    seed: int = 0
    counts: FaultCounts = field(default_factory=FaultCounts)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def describe_stream_summary(self, **stream: str) -> dict[str, Any]:
        if self.refusal is not None:
            raise _call_error(self.refusal, "DescribeStreamSummary")
        return dict(self.client.describe_stream_summary(**stream))

    def put_records(self, *, Records: Sequence[Mapping[str, Any]], **stream: str) -> dict[str, Any]:  # noqa: N803
        counts = self.counts
        counts.calls += 1
        code = self.refusal or (self.call_fault(counts.calls) if self.call_fault is not None else None)
        if code is not None:
            counts.failed_calls += 1
            raise _call_error(code, "PutRecords")
        counts.entries_sent += len(Records)
        throttled = [self._rng.random() < self.throttle_fraction for _ in Records]
        forwarded = [entry for entry, refused in zip(Records, throttled, strict=True) if not refused]
        answers = iter(self.client.put_records(Records=forwarded, **stream)["Records"] if forwarded else ())
        results = [_throttled_result() if refused else next(answers) for refused in throttled]
        counts.entries_throttled += sum(throttled)
        return {"FailedRecordCount": sum("ErrorCode" in result for result in results), "Records": results}


def _throttled_result() -> dict[str, str]:
    return {"ErrorCode": THROTTLED, "ErrorMessage": "Rate exceeded for shard shardId-000000000000 (injected)."}


def _call_error(code: str, operation: str) -> ClientError:
    status = _CALL_ERROR_STATUS.get(code, 400)
    message = REFUSALS.get(code, f"{code} (injected)")
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation
    )
