"""A record over Kinesis' 1 MiB limit, at the publisher.

After validation a record is eight numbers and its provenance (the source URI, the run id, an index): a few
hundred bytes, a few KiB with the longest URI S3 or a file system allows. So no input makes an encoded record
exceed 1 MiB (the corpus shows oversized inputs shrinking to their validated form, or rejected); the
publisher's own guard is tested here, directly, against moto, with the records around it.
"""

from __future__ import annotations

import boto3
from moto import mock_aws

from components.core.limits import MIB
from ingest.publishing import RECORD_TOO_LARGE, KinesisPublisher, OutgoingRecord
from reliability.aws import REGION, aws_environment, isolated_variables
from reliability.kinesis import read_stream


def _encoded(index: int) -> bytes:
    return (
        b'{"date":1514764800,"high":1.0,"low":1.0,"open":1.0,"close":1.0,"volume":1.0,"quoteVolume":1.0,'
        b'"weightedAverage":1.0,"_ingest":{"source":"s3://b/k.json","run_id":"r","index":%d}}' % index
    )


def test_a_record_over_1_mib_fails_alone_and_its_neighbours_are_published():
    oversized = b"x" * (MIB + 1)
    records = [OutgoingRecord(_encoded(0), 0), OutgoingRecord(oversized, 1), OutgoingRecord(_encoded(2), 2)]
    with aws_environment(isolated_variables()), mock_aws():
        kinesis = boto3.client("kinesis", region_name=REGION)
        kinesis.create_stream(StreamName="limits", ShardCount=1)
        for aggregate in (True, False):
            publisher = KinesisPublisher(kinesis, "limits", aggregate=aggregate, sleep=lambda seconds: None)
            outcomes = {outcome.ref: outcome for outcome in publisher.publish(records)}

            assert {ref for ref, outcome in outcomes.items() if outcome.ok} == {0, 2}
            assert outcomes[1].error_code == RECORD_TOO_LARGE
            assert "1048609 bytes with its partition key" in (outcomes[1].error_message or "")
        delivered = sorted(item.index for item in read_stream(kinesis, "limits"))
    assert delivered == [0, 0, 2, 2]


def test_the_largest_record_that_fits_is_published():
    fitting = b"y" * (MIB - 32)  # 1 MiB with the publisher's 32-character partition key
    with aws_environment(isolated_variables()), mock_aws():
        kinesis = boto3.client("kinesis", region_name=REGION)
        kinesis.create_stream(StreamName="limits", ShardCount=1)
        publisher = KinesisPublisher(kinesis, "limits", aggregate=False, sleep=lambda seconds: None)
        [outcome] = publisher.publish([OutgoingRecord(fitting, "big")])
    assert outcome.ok
