"""`python -m ingest verify` through `ingest.cli.main`: output, --json, exit statuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ingest import cli
from ingest.run.report import write_report
from ingest.verify import default_timeout_seconds
from tests.verify.builders import (
    BUCKET,
    A,
    delivery_key,
    error_document,
    error_key,
    firehose_error,
    make_report,
    minutes,
    newline_delimited,
    put,
    record,
    records,
)


@pytest.fixture
def report_path(tmp_path):
    now = datetime.now(UTC)
    path = tmp_path / "report.json"
    write_report(make_report({A: range(10)}, started_at=now - minutes(2), finished_at=now - minutes(1)), path)
    return path


def _verify(report_path, *extra: str) -> int:
    return cli.main(["verify", "--report", str(report_path), "--bucket", BUCKET, "--timeout", "0", *extra])


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def test_everything_delivered_exits_0_with_the_summary_on_stdout(s3, report_path, capsys):
    put(s3, delivery_key(), newline_delimited(records(A, range(10))))

    assert _verify(report_path) == 0

    out, err = capsys.readouterr()
    assert "10 records expected, 10 delivered, 0 missing, 0 duplicated" in out
    assert out.rstrip().endswith("OK: every published record arrived.")
    assert err == ""


def test_missing_records_exit_1_naming_them_with_one_stderr_line(s3, report_path, capsys):
    put(s3, delivery_key(), newline_delimited(records(A, range(8))))
    put(s3, error_key(), error_document([firehose_error(record(A, 9))]))

    assert _verify(report_path) == 1

    out, err = capsys.readouterr()
    assert f"  {A} #8\n  {A} #9" in out
    assert "Failed deliveries under s3://delivery-bucket/errors/: 1 record of this report and 0 other" in out
    assert _one_line(err) == (
        "ingest verify: 2 of 10 records missing from s3://delivery-bucket/crypto/, 1 under the error prefix"
    )


def test_json_prints_one_document_and_no_progress(s3, report_path, capsys):
    put(s3, delivery_key(), newline_delimited(records(A, range(9))))

    status = _verify(report_path, "--json", "--timeout", "0.3", "--poll-interval", "0.1")

    out, err = capsys.readouterr()
    document = json.loads(out)
    assert status == 1
    assert (document["ok"], document["expected"], document["delivered"], document["missing"]) == (False, 10, 9, 1)
    assert document["missing_records"] == [{"uri": A, "index": 9}]
    assert document["polls"] >= 2
    assert _one_line(err).startswith("ingest verify: 1 of 10 records missing")


def test_progress_lines_go_to_stderr_while_polling(s3, report_path, capsys):
    assert _verify(report_path, "--timeout", "0.3", "--poll-interval", "0.1") == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("ingest verify: poll 1 at 0 s: 0 of 10 records delivered, 10 missing; next look in")
    assert len(err) >= 3  # progress lines, then the reason


def test_an_unknown_bucket_exits_2(s3, report_path, capsys):
    assert cli.main(["verify", "--report", str(report_path), "--bucket", "nope", "--timeout", "0"]) == 2
    assert (
        _one_line(capsys.readouterr().err) == "ingest verify: cannot read s3://nope/crypto/: the bucket does not exist"
    )


def test_an_unreadable_report_exits_2(s3, tmp_path, capsys):
    (tmp_path / "report.json").write_text('{"run_id": "x"}')
    assert _verify(tmp_path / "report.json") == 2
    assert "is not a publish run report" in _one_line(capsys.readouterr().err)
    assert _verify(tmp_path / "absent.json") == 2
    assert "cannot read report" in _one_line(capsys.readouterr().err)


def test_missing_credentials_exit_2(aws_env, report_path, monkeypatch, capsys):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert _verify(report_path) == 2
    assert _one_line(capsys.readouterr().err) == "ingest verify: AWS credentials: Unable to locate credentials"


def test_a_buffering_interval_outside_what_firehose_accepts_exits_2(s3, report_path, capsys):
    status = cli.main(["verify", "--report", str(report_path), "--bucket", BUCKET, "--buffering-interval", "901"])
    assert status == 2
    assert "buffering_interval_seconds=901 is invalid" in _one_line(capsys.readouterr().err)


def test_the_default_timeout_is_two_buffer_flushes_plus_five_minutes():
    assert default_timeout_seconds() == 2 * 300 + 300
    assert default_timeout_seconds(60) == 420
    assert default_timeout_seconds(0) == 300
