import base64
import itertools
from collections.abc import Callable

import boto3
import pytest
from aws_kinesis_agg.deaggregator import iter_deaggregate_records
from botocore.exceptions import ClientError
from moto import mock_aws

from ingest.publishing import OutgoingRecord

MIB = 1024 * 1024


class FakeKinesis:
    """A Kinesis client stand-in that records every PutRecords call and enforces the service limits, so
    every test using it also checks batching.

    `entry_error(call_number, entry)` returns an ErrorCode to fail that entry; `call_error(call_number)`
    returns an exception to fail the whole call. Call numbers start at 1.
    """

    def __init__(
        self,
        entry_error: Callable[[int, dict], str | None] | None = None,
        call_error: Callable[[int], Exception | None] | None = None,
    ) -> None:
        self.entry_error = entry_error
        self.call_error = call_error
        self.calls: list[list[dict]] = []
        self.accepted: list[dict] = []
        self._sequence = itertools.count()

    def put_records(self, *, Records, StreamName=None, StreamARN=None):  # noqa: N803 - boto3's names
        assert (StreamName is None) != (StreamARN is None)
        self.calls.append(list(Records))
        call_number = len(self.calls)
        sizes = [len(entry["Data"]) + len(entry["PartitionKey"].encode("utf-8")) for entry in Records]
        assert 1 <= len(Records) <= 500
        assert max(sizes) <= MIB
        assert sum(sizes) <= 5 * MIB
        assert all(1 <= len(entry["PartitionKey"]) <= 256 for entry in Records)
        if self.call_error and (error := self.call_error(call_number)):
            raise error
        results = []
        for entry in Records:
            code = self.entry_error(call_number, entry) if self.entry_error else None
            if code:
                results.append({"ErrorCode": code, "ErrorMessage": f"injected {code}"})
            else:
                self.accepted.append(entry)
                results.append({"SequenceNumber": str(next(self._sequence)), "ShardId": "shardId-000000000000"})
        failed = sum(1 for result in results if "ErrorCode" in result)
        return {"FailedRecordCount": failed, "Records": results}


def client_error(code: str, operation: str = "PutRecords") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"injected {code}"}}, operation)


def deaggregate(data: bytes, partition_key: str) -> list[tuple[str, bytes]]:
    """(partition key, data) of each user record in one Kinesis record, aggregated or not."""
    record = {
        "Data": data,
        "PartitionKey": partition_key,
        "SequenceNumber": "0",
        "ApproximateArrivalTimestamp": 0,
    }
    users = []
    for user in iter_deaggregate_records([record], data_format="Boto3"):
        fields = user["kinesis"]
        payload = base64.b64decode(fields["data"]) if fields.get("aggregated") else fields["data"]
        users.append((fields["partitionKey"], payload))
    return users


def outgoing(count: int, size: int = 100) -> list[OutgoingRecord]:
    """Distinct records of `size` bytes whose data names their ref."""
    return [OutgoingRecord(data=f"{index:08d}".encode().ljust(size, b"."), ref=index) for index in range(count)]


@pytest.fixture
def fake_kinesis():
    return FakeKinesis


@pytest.fixture(name="client_error")
def client_error_fixture():
    return client_error


@pytest.fixture(name="deaggregate")
def deaggregate_fixture():
    return deaggregate


@pytest.fixture(name="outgoing")
def outgoing_fixture():
    return outgoing


@pytest.fixture
def delays() -> list[float]:
    """What the publisher asked to sleep: pass `sleep=delays.append` and tests never wait."""
    return []


@pytest.fixture
def kinesis(aws_env):
    with mock_aws():
        yield boto3.client("kinesis", region_name="ap-southeast-1")
