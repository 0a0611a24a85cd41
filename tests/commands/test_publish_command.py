"""`ingest.cli.main(argv)` end to end against in-process moto: exit statuses, output, files."""

from __future__ import annotations

import json
import logging
import os
import signal

import pytest

from ingest import cli
from ingest.commands import publish as publish_command
from ingest.publishing import PublishAbortedError
from ingest.run import publish as publish_run
from ingest.run.report import load_report
from tests.commands.conftest import STREAM, read_stream, write_days
from tests.run.fakes import FakePublisher, MemorySource, json_array


def _publish(*extra: str) -> int:
    return cli.main(["publish", "--stream", STREAM, *extra])


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_a_clean_run_exits_0_publishes_everything_and_says_where_things_went(kinesis, tmp_path, capsys):
    source = write_days(tmp_path / "data")
    report_path, dead_letter = tmp_path / "report.json", tmp_path / "dead.jsonl"

    status = _publish("--source", str(source), "--report", str(report_path), "--dead-letter", str(dead_letter))

    out, err = capsys.readouterr()
    assert status == 0, err
    report = load_report(report_path)
    assert (report.records_read, report.records_published, report.objects_read) == (60, 60, 2)
    assert report.source == source.resolve().as_uri()
    assert report.aggregate and report.put_calls >= 1 and report.kinesis_records < 60
    delivered = read_stream(kinesis)
    assert {(p.run_id, p.source, p.index) for _, p in delivered} == set(report.expected_records())
    assert len(delivered) == 60
    assert "published 60 of 60 records" in out
    assert str(report_path) in out
    assert dead_letter.read_text() == ""
    assert "published file://" in err  # one log line per object when stderr is not a terminal


def test_rejected_records_are_reported_but_the_exit_status_stays_0(kinesis, tmp_path, capsys):
    source = write_days(tmp_path / "data", days=1)
    (source / "broken.json").write_text('[{"date": 1514764800, "high": "NaN"}]')
    (source / "notes.bin").write_bytes(b"\x00")
    dead_letter = tmp_path / "dead.jsonl"

    status = _publish("--source", str(source), "--dead-letter", str(dead_letter), "--no-aggregate")

    out, _ = capsys.readouterr()
    assert status == 0
    lines = [json.loads(line) for line in dead_letter.read_text().splitlines()]
    assert [(line["stage"], line["uri"].rsplit("/", 1)[1]) for line in lines] == [
        ("validate", "broken.json"),
        ("object", "notes.bin"),
    ]
    assert "(1 rejected, 0 failed)" in out
    assert len(read_stream(kinesis)) == 30


def test_without_dead_letter_flag_a_file_appears_only_when_something_is_rejected(kinesis, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = write_days(tmp_path / "data", days=1)
    assert _publish("--source", str(source), "--quiet") == 0
    assert not list(tmp_path.glob("dead-letter-*.jsonl"))
    (source / "broken.json").write_text("[{}]")
    assert _publish("--source", str(source), "--quiet") == 0
    (created,) = tmp_path.glob("dead-letter-*.jsonl")
    assert json.loads(created.read_text())["field"] == "date"


def test_records_that_fail_to_publish_exit_1_with_one_line(kinesis, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(
        publish_run, "KinesisPublisher", lambda client, stream, aggregate: FakePublisher(fail=lambda p: p.index < 2)
    )
    source = write_days(tmp_path / "data")
    dead_letter = tmp_path / "dead.jsonl"

    status = _publish("--source", str(source), "--dead-letter", str(dead_letter), "--quiet")

    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""
    assert _one_line(err) == f"ingest publish: 4 records failed to publish; see {dead_letter}"
    assert len(dead_letter.read_text().splitlines()) == 4


def test_an_unknown_stream_exits_2_before_reading_anything(kinesis, tmp_path, capsys, monkeypatch):
    source = MemorySource()
    source.put("a.json", json_array(3))
    monkeypatch.setattr(publish_run, "open_source", lambda spec, options: source)
    report_path = tmp_path / "report.json"

    status = cli.main(["publish", "--stream", "nope", "--report", str(report_path)])

    assert status == 2
    assert _one_line(capsys.readouterr().err) == ("ingest publish: Kinesis stream 'nope' does not exist in us-east-1")
    assert source.listed == 0
    assert not report_path.exists()


def test_an_unreadable_source_exits_2(kinesis, tmp_path, capsys):
    assert _publish("--source", str(tmp_path / "absent")) == 2
    assert "absent" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["publish", "--stream", STREAM, "--partition", "4/4"], "between 0 and 3"),
        (["publish", "--stream", STREAM, "--format", "yaml"], "invalid choice: 'yaml'"),
        (["publish", "--source", "x"], "--stream"),
        (["launch"], "invalid choice: 'launch'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv, message, capsys):
    assert cli.main(argv) == 2
    assert message in _one_line(capsys.readouterr().err)


def test_missing_credentials_exit_2(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    source = write_days(tmp_path / "data", days=1)
    assert _publish("--source", str(source)) == 2
    assert "credentials" in _one_line(capsys.readouterr().err)


def test_a_missing_region_exits_2(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    source = write_days(tmp_path / "data", days=1)
    assert _publish("--source", str(source)) == 2
    assert "--region" in _one_line(capsys.readouterr().err)


def test_credentials_refused_during_the_run_exit_2(kinesis, tmp_path, monkeypatch, capsys):
    class Refused(FakePublisher):
        def publish(self, records):
            for record in records:
                raise PublishAbortedError(STREAM, "ExpiredTokenException", "token expired", (record.ref,))
            yield from ()

    monkeypatch.setattr(publish_run, "KinesisPublisher", lambda client, stream, aggregate: Refused())
    source = write_days(tmp_path / "data", days=1)
    report_path = tmp_path / "report.json"
    assert _publish("--source", str(source), "--report", str(report_path), "--quiet") == 2
    assert "ExpiredTokenException" in _one_line(capsys.readouterr().err)
    assert "ExpiredTokenException" in load_report(report_path).aborted


def test_an_unwritable_report_path_exits_2_before_publishing(kinesis, tmp_path, capsys):
    source = write_days(tmp_path / "data", days=1)
    assert _publish("--source", str(source), "--report", str(tmp_path / "missing-dir" / "r.json")) == 2
    assert "cannot write report" in _one_line(capsys.readouterr().err)
    assert read_stream(kinesis) == []


def test_the_checkpoint_makes_a_second_run_skip_unchanged_objects(kinesis, tmp_path, capsys):
    source = write_days(tmp_path / "data")
    checkpoint = tmp_path / "checkpoint.json"
    assert _publish("--source", str(source), "--checkpoint", str(checkpoint)) == 0
    assert _publish("--source", str(source), "--checkpoint", str(checkpoint), "--report", str(tmp_path / "r.json")) == 0
    assert "2 unchanged since the checkpoint" in capsys.readouterr().out
    assert load_report(tmp_path / "r.json").records_read == 0
    assert len(read_stream(kinesis)) == 60
    assert _publish("--source", str(source), "--checkpoint", str(checkpoint), "--full", "--quiet") == 0
    assert len(read_stream(kinesis)) == 120


def test_sigterm_winds_the_run_down_and_exits_1(kinesis, tmp_path, monkeypatch, capsys):
    def terminate(taken: int) -> None:
        if taken >= 10:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(
        publish_run,
        "KinesisPublisher",
        lambda client, stream, aggregate: FakePublisher(batch_size=10, on_batch=terminate),
    )
    source = write_days(tmp_path / "data")
    report_path = tmp_path / "report.json"
    previous = signal.getsignal(signal.SIGTERM)

    status = _publish("--source", str(source), "--report", str(report_path), "--quiet")

    assert status == 1
    assert _one_line(capsys.readouterr().err) == "ingest publish: run aborted: stopped early (SIGTERM)"
    report = load_report(report_path)
    assert report.records_failed == 0 and report.records_published == report.records_read < 60
    assert signal.getsignal(signal.SIGTERM) is previous


def test_the_command_leaves_logging_as_it_found_it(kinesis, tmp_path):
    logger = logging.getLogger("ingest")
    handlers, level = list(logger.handlers), logger.level
    assert _publish("--source", str(write_days(tmp_path / "data", days=1)), "--quiet") == 0
    assert (logger.handlers, logger.level) == (handlers, level)


def test_format_choices_come_from_the_registry(monkeypatch):
    monkeypatch.setattr(publish_command, "format_names", lambda: ["json", "parquet"])
    args = cli.build_parser().parse_args(["publish", "--stream", "s", "--format", "parquet", "--partition", "1/3"])
    assert (args.format, str(args.partition), args.aggregate) == ("parquet", "1/3", True)


def test_help_exits_0(capsys):
    assert cli.main(["publish", "--help"]) == 0
    assert "--partition I/N" in capsys.readouterr().out


def test_a_malformed_endpoint_url_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "not a url")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-1")
    source = write_days(tmp_path / "data", days=1)
    assert cli.main(["publish", "--stream", STREAM, "--source", str(source), "--quiet"]) == 2
    assert _one_line(capsys.readouterr().err).startswith("ingest publish: cannot create the kinesis client")
