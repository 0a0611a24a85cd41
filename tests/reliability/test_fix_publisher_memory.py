"""Fix: the publisher no longer keeps a reference to every record it ever published.

Its in-flight counter kept settled refs at zero, so memory grew with the input (`publish` of one million
records peaked at 397 MiB against 159 MiB for 20,000). A settled ref is now dropped.
"""

from __future__ import annotations

import gc
import weakref

from ingest.publishing import KinesisPublisher, OutgoingRecord


class AcceptEverything:
    """A Kinesis client that accepts every record of every PutRecords call."""

    def put_records(self, *, Records, **stream):  # noqa: N803 - boto3's parameter name
        return {"FailedRecordCount": 0, "Records": [{"SequenceNumber": "1", "ShardId": "s"} for _ in Records]}


class Ref:
    """A hashable ref that can be weakly referenced, to see whether the publisher still holds it."""

    def __init__(self, number: int) -> None:
        self.number = number


def test_refs_of_settled_records_are_not_kept_while_publishing_goes_on():
    watched: list[weakref.ref[Ref]] = []

    def records():
        for number in range(3000):
            ref = Ref(number)
            watched.append(weakref.ref(ref))
            yield OutgoingRecord(b'{"n": %d}' % number, ref)

    outcomes = KinesisPublisher(AcceptEverything(), "null", aggregate=False).publish(records())

    settled = [next(outcomes).ok for _ in range(2000)]  # four calls of 500 settled; the generator lives on
    gc.collect()

    assert all(settled)
    assert sum(ref() is not None for ref in watched[:1500]) == 0
