"""Firehose error documents under the error prefix, decoded back to the records they describe."""

from __future__ import annotations

import base64
import json

from aws_kinesis_agg.aggregator import RecordAggregator

from ingest.records import Provenance
from ingest.verify.delivery_errors import read_failed_records
from ingest.verify.reading import iter_lines
from tests.verify.builders import RUN, A, error_document, firehose_error, gzipped, record


def _read(data: bytes):
    return list(read_failed_records(iter_lines(data), "errors/processing-failed/x"))


def test_a_gzipped_error_object_names_each_failed_record_and_its_error():
    documents = [
        firehose_error(record(A, 3)),
        firehose_error(record(A, 4) + b"\n", code="S3.AccessDenied", message="no"),
    ]
    failed = _read(gzipped(error_document(documents)))

    assert [(f.error_code, f.provenance) for f in failed] == [
        ("Lambda.FunctionError", Provenance(A, RUN, 3)),
        ("S3.AccessDenied", Provenance(A, RUN, 4)),
    ]
    first = failed[0]
    assert first.attempts_made == 4
    assert first.error_message.startswith("The Lambda function")
    assert first.arrival.endswith("Z") and first.arrival[:4].isdigit()
    assert first.key == "errors/processing-failed/x"


def test_raw_data_that_is_not_ours_or_not_base64_is_kept_without_provenance():
    foreign = firehose_error(b"some other producer's bytes")
    not_base64 = {**firehose_error(b""), "rawData": "%%% not base64 %%%"}
    no_raw = {key: value for key, value in firehose_error(b"").items() if key != "rawData"}
    failed = _read(error_document([foreign, not_base64, no_raw]))
    assert [(f.error_code, f.provenance) for f in failed] == [("Lambda.FunctionError", None)] * 3


def test_an_aggregated_payload_is_deaggregated_into_its_records():
    aggregator = RecordAggregator()
    for index in (5, 6):
        assert aggregator.add_user_record("key", record(A, index)) is None
    aggregate = aggregator.clear_and_get().get_contents()[2]
    failed = _read(error_document([firehose_error(aggregate)]))
    assert [f.provenance.index for f in failed] == [5, 6]


def test_lines_that_are_not_error_documents_are_skipped():
    data = b'{"hello": "world"}\nnot json\n' + json.dumps(firehose_error(record(A, 1))).encode()
    assert [f.provenance.index for f in _read(data)] == [1]


def test_timestamps_that_are_not_numbers_are_dropped_not_trusted():
    document = {**firehose_error(record(A, 1)), "arrivalTimestamp": "yesterday", "attemptsMade": True}
    (failed,) = _read(error_document([document]))
    assert (failed.arrival, failed.attempts_made) == (None, None)
    assert base64.b64decode(document["rawData"]) == record(A, 1)
