"""`verify` checks a `send` report as it checks a publish run report: the endpoint stamps each record with its
request id, so the records of every accepted request are this send's own, arrive with a latency, and are never
taken for an earlier run's."""

from __future__ import annotations

from datetime import UTC, datetime

from ingest import cli
from ingest.endpoint.report import AcceptedRequest, SendReport, write_send_report
from ingest.index_ranges import IndexRanges
from ingest.verify.reports import load_published_records
from tests.verify.builders import BUCKET, delivery_key, iso, minutes, newline_delimited, put, records

SOURCE = "apigateway://a1b2c3/live/v1/batch"


def _send_report(path) -> SendReport:
    now = datetime.now(UTC)
    report = SendReport(
        run_id="send-1",
        source="file:///records.json",
        endpoint="https://a1b2c3.execute-api.ap-southeast-1.amazonaws.com/live",
        format="auto",
        input_format="json",
        started_at=iso(now - minutes(2)),
        finished_at=iso(now - minutes(1)),
        requests=2,
        accepted=[
            AcceptedRequest("request-1", SOURCE, IndexRanges([[0, 4]])),
            AcceptedRequest("request-2", SOURCE, IndexRanges([[0, 1]])),
        ],
    )
    write_send_report(report, path)
    return report


def test_a_send_report_reads_back_as_what_it_was(tmp_path):
    report = _send_report(tmp_path / "send.json")
    loaded = load_published_records(tmp_path / "send.json")
    assert isinstance(loaded, SendReport)
    assert loaded.to_dict() == report.to_dict()
    assert (loaded.records_read, loaded.records_accepted) == (7, 7)
    assert loaded.own_run_ids() == {"request-1", "request-2"}


def test_verify_finds_the_records_of_every_accepted_request_with_their_latency(s3, tmp_path, capsys):
    _send_report(tmp_path / "send.json")
    put(
        s3,
        delivery_key(),
        newline_delimited(records(SOURCE, range(5), "request-1") + records(SOURCE, [0, 1], "request-2")),
    )

    status = cli.main(["verify", "--report", str(tmp_path / "send.json"), "--bucket", BUCKET, "--timeout", "0"])

    out = capsys.readouterr().out
    assert status == 0, out
    assert "Run send-1: 7 records expected, 7 delivered, 0 missing" in out
    assert "0 foreign and 0 other runs' records ignored" in out
    assert "Latency after the run finished" in out and "no record of run" not in out
    assert "earlier runs" not in out


def test_a_record_of_a_request_that_never_arrived_is_missing(s3, tmp_path, capsys):
    _send_report(tmp_path / "send.json")
    put(s3, delivery_key(), newline_delimited(records(SOURCE, range(5), "request-1")))

    assert cli.main(["verify", "--report", str(tmp_path / "send.json"), "--bucket", BUCKET, "--timeout", "0"]) == 1

    out = capsys.readouterr().out
    assert f"Missing (first 2 of 2):\n  {SOURCE} #0\n  {SOURCE} #1" in out


def test_a_file_of_another_kind_is_named_as_neither_report(tmp_path, capsys):
    (tmp_path / "x.json").write_text('{"kind": "send", "run_id": "x"}')
    assert cli.main(["verify", "--report", str(tmp_path / "x.json"), "--bucket", BUCKET, "--timeout", "0"]) == 2
    assert "is not a send report" in capsys.readouterr().err
