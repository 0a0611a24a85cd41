"""`smoke()` as a library call (a Lambda handler or a notebook): publish, then check, without the console."""

from __future__ import annotations

from ingest.run import publish as publish_module
from ingest.run.stop import StopRequest
from ingest.smoke import StackOutputs, read_outputs_file
from ingest.smoke.check import SmokeOptions, publish_options, smoke
from tests.commands.conftest import write_days
from tests.smoke.conftest import write_outputs


def _options(tmp_path, outputs: StackOutputs) -> SmokeOptions:
    return SmokeOptions(
        outputs=outputs,
        report=tmp_path / "report.json",
        dead_letter=tmp_path / "dead-letter.jsonl",
        source=str(write_days(tmp_path / "data")),
        timeout_seconds=5,
        poll_interval_seconds=0,
    )


def test_smoke_publishes_to_the_stacks_stream_then_finds_every_record_in_its_bucket(pipeline, tmp_path, monkeypatch):
    double = pipeline.delivery()
    real_publish = publish_module.publish

    def publish_then_deliver(options, **kwargs):
        result = real_publish(options, **kwargs)
        double.deliver()
        return result

    monkeypatch.setattr("ingest.smoke.check.publish", publish_then_deliver)
    options = _options(tmp_path, read_outputs_file(write_outputs(tmp_path / "outputs.json")))

    result = smoke(options, sleep=lambda seconds: None)

    assert (result.status, result.problem) == (0, None)
    assert result.report is not None and result.report.records_published == 60
    assert result.verification is not None and (result.verification.delivered, result.verification.missing) == (60, 0)


def test_a_stop_requested_before_the_run_publishes_nothing_and_fails(pipeline, tmp_path):
    stop = StopRequest()
    stop.set("SIGTERM")
    options = _options(tmp_path, read_outputs_file(write_outputs(tmp_path / "outputs.json")))

    result = smoke(options, stop=stop, sleep=lambda seconds: None)

    assert result.status == 1
    assert result.report is not None and result.report.records_published == 0


def test_the_publish_step_targets_the_stacks_stream_in_the_region_asked_for(tmp_path):
    outputs = read_outputs_file(write_outputs(tmp_path / "outputs.json"))
    options = SmokeOptions(
        outputs=outputs, report=tmp_path / "r.json", dead_letter=tmp_path / "d.jsonl", region="eu-west-1"
    )

    step = publish_options(options)

    assert (step.stream, step.region, step.report, step.dead_letter) == (
        "tracking-stream",
        "eu-west-1",
        tmp_path / "r.json",
        tmp_path / "d.jsonl",
    )
