"""`python -m ingest smoke` through `ingest.cli.main`, against in-process moto.

moto's Firehose never reads the stream, so each test that expects records in the bucket lets the delivery
double (tests/smoke/delivery_double.py) move them there right after the real `publish` returns.
"""

from __future__ import annotations

import json
import os
import stat

import pytest

from ingest import cli
from ingest.run import publish as publish_module
from ingest.run.report import load_report
from ingest.smoke import check as smoke_check
from ingest.verify.polling import verify_delivery as real_verify_delivery
from tests.commands.conftest import write_days
from tests.smoke.conftest import OUTPUTS, write_outputs


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def _deliver_after_publish(monkeypatch, double) -> None:
    """The real publish, then the double delivers what reached the stream (as Firehose would, later)."""

    real_publish = publish_module.publish

    def publish_then_deliver(options, **kwargs):
        result = real_publish(options, **kwargs)
        double.deliver()
        return result

    monkeypatch.setattr(publish_module, "publish", publish_then_deliver)


def _smoke(tmp_path, *extra: str) -> int:
    source = write_days(tmp_path / "data")  # 2 objects x 30 records
    return cli.main(
        ["smoke", "--source", str(source), "--report", str(tmp_path / "report.json"), "--poll-interval", "0", *extra]
    )


def test_a_healthy_stack_passes_with_one_summary(pipeline, tmp_path, monkeypatch, capsys):
    _deliver_after_publish(monkeypatch, pipeline.delivery())

    status = _smoke(tmp_path, "--outputs", str(write_outputs(tmp_path / "outputs.json")), "--timeout", "5")

    out, err = capsys.readouterr()
    assert status == 0, err
    summary = _one_line(out)
    assert summary.startswith(f"Smoke test of {tmp_path / 'outputs.json'}: PASSED.")
    assert "published 60 of 60 records" in summary
    assert "60 of 60 arrived in s3://tracking-data/crypto/ (0 missing, 0 duplicated, 0 under" in summary
    assert f"Report: {tmp_path / 'report.json'}" in summary
    report = load_report(tmp_path / "report.json")
    assert report.stream == "tracking-stream" and report.records_published == 60
    assert _one_line(err).startswith("ingest smoke: publishing ")


def test_lost_records_fail_with_their_names(pipeline, tmp_path, monkeypatch, capsys):
    _deliver_after_publish(monkeypatch, pipeline.delivery(drop=lambda provenance: provenance.index in (3, 4)))

    status = _smoke(tmp_path, "--outputs", str(write_outputs(tmp_path / "outputs.json")), "--timeout", "0")

    out, err = capsys.readouterr()
    assert status == 1
    summary = _one_line(out)
    assert "FAILED" in summary and "56 of 60 arrived" in summary and "First missing: file://" in summary
    assert err.splitlines()[-1] == "ingest smoke: 4 of 60 records missing from s3://tracking-data/crypto/"


def test_the_default_timeout_comes_from_the_stacks_buffering_interval(pipeline, tmp_path, monkeypatch):
    _deliver_after_publish(monkeypatch, pipeline.delivery())
    seen = []

    def spy(report, options, **kwargs):
        seen.append(options)
        return real_verify_delivery(report, options, **kwargs)

    monkeypatch.setattr(smoke_check, "verify_delivery", spy)

    assert _smoke(tmp_path, "--outputs", str(write_outputs(tmp_path / "outputs.json"))) == 0
    ((options,),) = [seen]
    assert (options.timeout_seconds, options.bucket, options.prefix, options.error_prefix, options.region) == (
        2 * 60 + 300,
        "tracking-data",
        "crypto/",
        "errors/",
        "us-east-1",
    )


def test_a_missing_output_exits_2_naming_it(tmp_path, capsys):
    outputs = write_outputs(tmp_path / "outputs.json", deliveryPrefix=None)
    assert cli.main(["smoke", "--outputs", str(outputs)]) == 2
    assert _one_line(capsys.readouterr().err) == f"ingest smoke: {outputs} lacks the output(s) deliveryPrefix"


def test_stack_without_the_pulumi_cli_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert cli.main(["smoke", "--stack", "dev"]) == 2
    assert "the pulumi CLI is not on PATH" in _one_line(capsys.readouterr().err)


def _fake_pulumi(directory, script_body: str):
    directory.mkdir()
    script = directory / "pulumi"
    script.write_text("#!/bin/sh\n" + script_body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return directory


def test_stack_reads_the_outputs_through_the_pulumi_cli(pipeline, tmp_path, monkeypatch, capsys):
    (tmp_path / "outputs.json").write_text(json.dumps(OUTPUTS))
    bin_dir = _fake_pulumi(tmp_path / "bin", f'echo "$@" > {tmp_path}/argv\ncat {tmp_path}/outputs.json\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    _deliver_after_publish(monkeypatch, pipeline.delivery())

    assert _smoke(tmp_path, "--stack", "dev", "--timeout", "5") == 0
    assert (tmp_path / "argv").read_text() == "stack output --json --stack dev\n"
    assert _one_line(capsys.readouterr().out).startswith("Smoke test of stack dev: PASSED.")


def test_a_failing_pulumi_command_exits_2_with_its_error(tmp_path, monkeypatch, capsys):
    bin_dir = _fake_pulumi(tmp_path / "bin", "echo \"error: no stack named 'qa' found\" >&2\nexit 255\n")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert cli.main(["smoke", "--stack", "qa"]) == 2
    assert _one_line(capsys.readouterr().err) == (
        "ingest smoke: `pulumi stack output --stack qa` failed: error: no stack named 'qa' found"
    )


def test_a_stream_that_does_not_exist_exits_2_before_publishing(pipeline, tmp_path, capsys):
    outputs = write_outputs(tmp_path / "outputs.json", streamName="gone")
    assert _smoke(tmp_path, "--outputs", str(outputs)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1] == "ingest publish: Kinesis stream 'gone' does not exist in us-east-1"


def test_publishing_nothing_proves_nothing(pipeline, tmp_path, capsys):
    source = tmp_path / "rejects"
    source.mkdir()
    (source / "bad.json").write_text('[{"date": "not a date"}]')
    outputs = write_outputs(tmp_path / "outputs.json")

    status = cli.main(
        [
            "smoke",
            "--outputs",
            str(outputs),
            "--source",
            str(source),
            "--report",
            str(tmp_path / "r.json"),
            "--timeout",
            "0",
        ]
    )

    out, err = capsys.readouterr()
    assert status == 1
    assert "FAILED" in _one_line(out) and "published 0 of 1 records" in out
    assert err.splitlines()[-1] == "ingest smoke: nothing was published, so nothing was proven"


def test_report_and_dead_letter_default_to_a_fresh_temp_directory(pipeline, tmp_path, monkeypatch, capsys):
    _deliver_after_publish(monkeypatch, pipeline.delivery())
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr("tempfile.tempdir", None)
    source = write_days(tmp_path / "data")
    outputs = write_outputs(tmp_path / "outputs.json")

    assert cli.main(["smoke", "--outputs", str(outputs), "--source", str(source), "--poll-interval", "0"]) == 0

    (directory,) = (tmp_path / "tmp").glob("ingest-smoke-*")
    assert load_report(directory / "report.json").records_published == 60
    summary = capsys.readouterr().out
    assert f"Report: {directory / 'report.json'}; dead letters: {directory / 'dead-letter.jsonl'}." in summary


def test_dead_letters_go_next_to_a_given_report(pipeline, tmp_path, monkeypatch, capsys):
    _deliver_after_publish(monkeypatch, pipeline.delivery())
    assert _smoke(tmp_path, "--outputs", str(write_outputs(tmp_path / "outputs.json"))) == 0
    assert f"dead letters: {tmp_path / 'dead-letter.jsonl'}." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ([], "one of the arguments --stack --outputs is required"),
        (["--stack", "dev", "--outputs", "x.json"], "argument --outputs: not allowed with argument --stack"),
    ],
)
def test_exactly_one_of_stack_and_outputs_is_required(flags, message, capsys):
    assert cli.main(["smoke", *flags]) == 2
    assert message in _one_line(capsys.readouterr().err)
