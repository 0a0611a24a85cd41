"""`python -m ingest send`, the reference producer: batching, resending what the endpoint reports as failed,
refusals, local validation, and a report whose records `verify` can find."""

from __future__ import annotations

import base64
import io
import json
import random

import pytest

from components.core.data_dictionary import load_record_schema
from components.core.endpoint import endpoint_definition
from components.core.settings import TrackingPipelineArgs
from ingest import cli
from ingest.endpoint.report import load_send_report
from ingest.endpoint.send import SendOptions, send
from ingest.errors import ConfigurationError
from ingest.local.gateway import LocalGateway
from ingest.local.gateway_server import local_gateway, serving_endpoint
from ingest.records import decode_record
from ingest.retry import RetryPolicy
from ingest.sample import generate_records
from tests.endpoint.conftest import REGION

KEY = "s" * 40
FAST = RetryPolicy(max_attempts=4, base_delay=0.0, max_delay=0.0)


class ScriptedKinesis:
    """PutRecords answers: entries whose record `date` is in `fail_once` fail the first time they are seen (with
    `code`); `whole` is a list of (status, body) answered to whole calls first."""

    def __init__(self, *, fail_once=(), code="ProvisionedThroughputExceededException", whole=()) -> None:
        self.fail_once = set(fail_once)
        self.code = code
        self.whole = list(whole)
        self.batches: list[list[dict]] = []

    def post(self, action: str, body: str) -> tuple[int, str]:
        request = json.loads(body)
        if self.whole:
            status, reply = self.whole.pop(0)
            return status, json.dumps(reply)
        records = [json.loads(base64.b64decode(entry["Data"])) for entry in request["Records"]]
        self.batches.append(records)
        answers = []
        for record in records:
            if record["date"] in self.fail_once:
                self.fail_once.discard(record["date"])
                answers.append({"ErrorCode": self.code, "ErrorMessage": "try again"})
            else:
                answers.append({"SequenceNumber": "1", "ShardId": "shardId-000000000000"})
        failed = sum("ErrorCode" in answer for answer in answers)
        return 200, json.dumps({"FailedRecordCount": failed, "Records": answers})


def _gateway(kinesis) -> LocalGateway:
    return LocalGateway(endpoint_definition(load_record_schema()), stream_name="s", kinesis=kinesis, api_keys=[KEY])


@pytest.fixture
def records_file(tmp_path):
    def write(records, name="records.json"):
        path = tmp_path / name
        path.write_text(json.dumps(records) if name.endswith(".json") else records)
        return path

    return write


def _send(url, path, **kwargs):
    sleeps: list[float] = []
    options = SendOptions(endpoint=url, source=str(path), api_key=KEY, retry=FAST, **kwargs)
    return send(options, sleep=sleeps.append, rng=random.Random(1)), sleeps


def test_records_go_in_batches_and_each_accepted_request_is_in_the_report(records_file, tmp_path):
    kinesis = ScriptedKinesis()
    path = records_file(list(generate_records(1200)))
    with serving_endpoint(_gateway(kinesis)) as endpoint:
        result, sleeps = _send(endpoint.url, path, report=tmp_path / "report.json")
    assert result.status == 0 and sleeps == []
    assert [len(batch) for batch in kinesis.batches] == [500, 500, 200]
    report = load_send_report(tmp_path / "report.json")
    assert (report.records_read, report.records_accepted, report.records_failed) == (1200, 1200, 0)
    assert report.source == path.resolve().as_uri() and report.endpoint == endpoint.url
    assert (report.format, report.input_format, report.input_error) == ("auto", "json", None)
    assert [request.indices.to_list() for request in report.accepted] == [[[0, 499]], [[0, 499]], [[0, 199]]]
    assert {request.source for request in report.accepted} == {"apigateway://local/live/v1/batch"}
    assert len(report.own_run_ids()) == 3 and report.run_id not in report.own_run_ids()
    assert "1200 accepted, 0 rejected (invalid, not sent), 0 failed; 3 requests, 0 resent" in result.summary()


def test_entries_the_endpoint_reports_as_failed_are_resent_alone_with_backoff(records_file, tmp_path):
    records = list(generate_records(10))
    kinesis = ScriptedKinesis(fail_once={records[2]["date"], records[7]["date"]})
    with serving_endpoint(_gateway(kinesis)) as endpoint:
        result, sleeps = _send(endpoint.url, records_file(records))
    assert result.status == 0
    assert [[r["date"] for r in batch] for batch in kinesis.batches[1:]] == [[records[2]["date"], records[7]["date"]]]
    assert (result.report.retries, len(sleeps), result.report.requests) == (2, 1, 2)
    first, second = result.report.accepted
    assert first.indices.to_list() == [[0, 1], [3, 6], [8, 9]]
    assert second.indices.to_list() == [[0, 1]]
    assert result.accepted == 10


def test_an_entry_failing_for_good_is_reported_and_not_resent(records_file):
    records = list(generate_records(3))
    kinesis = ScriptedKinesis(fail_once={records[1]["date"]}, code="KMSAccessDeniedException")
    with serving_endpoint(_gateway(kinesis)) as endpoint:
        result, sleeps = _send(endpoint.url, records_file(records))
    assert result.status == 1 and sleeps == []
    assert (result.accepted, result.report.records_failed, len(kinesis.batches)) == (2, 1, 1)
    assert "failed records 1: KMSAccessDeniedException: try again" in result.summary()


def test_a_throttled_request_is_resent_and_one_that_keeps_failing_gives_up(records_file):
    path = records_file(list(generate_records(4)))
    throttled = (400, {"__type": "LimitExceededException", "message": "slow"})
    with serving_endpoint(_gateway(ScriptedKinesis(whole=[throttled]))) as endpoint:
        result, sleeps = _send(endpoint.url, path)
    assert (result.status, result.accepted, len(sleeps)) == (0, 4, 1)
    broken = (500, {"__type": "InternalFailure", "message": "down"})
    with serving_endpoint(_gateway(ScriptedKinesis(whole=[broken] * 10))) as endpoint:
        result, sleeps = _send(endpoint.url, path)
    assert (result.status, result.accepted, result.report.records_failed) == (1, 0, 4)
    assert result.report.requests == FAST.max_attempts
    assert "still failing after 4 attempts (HTTP 503" in result.summary()


def test_a_refusal_the_stream_side_cannot_recover_from_is_not_retried(records_file):
    gone = (400, {"__type": "ResourceNotFoundException", "message": "no stream"})
    with serving_endpoint(_gateway(ScriptedKinesis(whole=[gone]))) as endpoint:
        result, sleeps = _send(endpoint.url, records_file(list(generate_records(2))))
    assert (result.status, result.report.requests, sleeps) == (1, 1, [])
    assert "HTTP 502: the stream did not take the records" in result.summary()


def test_invalid_records_are_rejected_here_and_never_sent(records_file):
    good = list(generate_records(2))
    bad = [{**good[0], "high": "abc"}, {key: value for key, value in good[0].items() if key != "low"}]
    converted = {**good[1], "date": "2018-01-01T00:05:00Z", "close": str(good[1]["close"])}
    kinesis = ScriptedKinesis()
    with serving_endpoint(_gateway(kinesis)) as endpoint:
        result, _ = _send(endpoint.url, records_file([good[0], *bad, converted]))
    assert result.status == 0
    assert (result.accepted, result.report.records_rejected) == (2, 2)
    [batch] = kinesis.batches
    assert [r["date"] for r in batch] == [good[0]["date"], 1514765100]
    assert batch[1]["close"] == good[1]["close"]
    assert "rejected record 2: field 'high': not a number" in result.summary()


def test_csv_and_standard_input_are_read_like_publish_reads(records_file, monkeypatch):
    records = list(generate_records(3))
    header = ",".join(records[0])
    csv_text = "\n".join([header, *(",".join(str(v) for v in r.values()) for r in records)]) + "\n"
    kinesis = ScriptedKinesis()
    with serving_endpoint(_gateway(kinesis)) as endpoint:
        assert _send(endpoint.url, records_file(csv_text, "records.csv"))[0].accepted == 3
        for payload in (json.dumps(records), "\n".join(json.dumps(r) for r in records)):
            monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(("\n  " + payload).encode())))
            result, _ = _send(endpoint.url, "-")
            assert (result.accepted, result.report.source) == (3, "stdin:")
    assert [r["date"] for r in kinesis.batches[-1]] == [r["date"] for r in records]


def test_a_refused_key_stops_the_run_as_a_configuration_error(records_file):
    with serving_endpoint(_gateway(ScriptedKinesis())) as endpoint:
        options = SendOptions(endpoint=endpoint.url, source=str(records_file(list(generate_records(2)))), api_key="x")
        with pytest.raises(ConfigurationError, match="refused the request \\(403 Forbidden\\): check --api-key"):
            send(options, sleep=lambda _: None)


def test_the_command_line(records_file, tmp_path, capsys, monkeypatch):
    path = records_file(list(generate_records(5)))
    with serving_endpoint(_gateway(ScriptedKinesis())) as endpoint:
        monkeypatch.setenv("TRACKING_API_KEY", KEY)
        status = cli.main(["send", "--endpoint", endpoint.url, str(path), "--report", str(tmp_path / "r.json")])
        out = capsys.readouterr().out
        assert status == 0, out
        assert "5 accepted" in out and f"report: {tmp_path / 'r.json'}" in out
        monkeypatch.delenv("TRACKING_API_KEY")
        assert cli.main(["send", "--endpoint", endpoint.url, str(path)]) == 2
        assert capsys.readouterr().err.strip().startswith("ingest send: http://127.0.0.1:")
    assert cli.main(["send", "--endpoint", "example.com/live", str(path)]) == 2
    assert "is not an http(s) URL" in capsys.readouterr().err
    assert cli.main(["send", "--endpoint", "http://127.0.0.1:9/live", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err.startswith("ingest send: cannot read")
    assert cli.main(["send", "--endpoint", "http://x", "--batch-size", "501", str(path)]) == 2
    assert "expected 1 to 500" in capsys.readouterr().err


def test_the_report_names_exactly_the_records_that_reached_the_stream(kinesis, records_file, tmp_path):
    """What `verify` matches: (run_id, source, index) from the report against each delivered record's provenance."""
    stream = kinesis.new_stream(shards=2)
    records = list(generate_records(700))
    args = TrackingPipelineArgs(enable_http_endpoint=True)
    with serving_endpoint(local_gateway(args, stream_name=stream, kinesis=kinesis.signed, api_key=KEY)) as endpoint:
        result, _ = _send(endpoint.url, records_file(records), report=tmp_path / "report.json")
    assert result.status == 0
    expected = set(load_send_report(tmp_path / "report.json").expected_records())
    delivered = [decode_record(item.data) for item in kinesis.read(stream)]
    assert {(p.run_id, p.source, p.index) for _, p in delivered} == expected
    assert len(expected) == 700
    assert sorted(fields["date"] for fields, _ in delivered) == [r["date"] for r in records]


def _records_in_a_bucket(kinesis, monkeypatch, records) -> str:
    """A bucket on the module's moto server holding `records`, and the AWS chain pointed at that server."""
    for name, value in kinesis.emulator.environment().items():
        monkeypatch.setenv(name, value)
    s3 = kinesis.emulator.client("s3")
    s3.create_bucket(Bucket="send-input")
    s3.put_object(Bucket="send-input", Key="days/records.json", Body=json.dumps(records).encode())
    s3.put_object(Bucket="send-input", Key="days/other.json", Body=b"[]")
    return "s3://send-input/days/records.json"


def test_an_s3_object_is_read_as_publish_reads_it(kinesis, monkeypatch):
    records = list(generate_records(3))
    uri = _records_in_a_bucket(kinesis, monkeypatch, records)
    scripted = ScriptedKinesis()
    with serving_endpoint(_gateway(scripted)) as endpoint:
        result, _ = _send(endpoint.url, uri, source_region=REGION)
    assert (result.status, result.accepted, result.report.source, result.report.input_format) == (0, 3, uri, "json")
    assert [r["date"] for r in scripted.batches[-1]] == [r["date"] for r in records]


def test_an_s3_prefix_of_several_objects_or_a_missing_bucket_is_refused(kinesis, monkeypatch, capsys):
    _records_in_a_bucket(kinesis, monkeypatch, list(generate_records(1)))
    with serving_endpoint(_gateway(ScriptedKinesis())) as endpoint:
        with pytest.raises(ConfigurationError, match="holds more than one object; send reads one file or object"):
            _send(endpoint.url, "s3://send-input/days/")
        status = cli.main(["send", "--endpoint", endpoint.url, "--region", REGION, "s3://no-such-bucket/x.json"])
    assert status == 2
    assert capsys.readouterr().err.startswith("ingest send: cannot read s3://no-such-bucket/x.json: ")
