"""Stack outputs for the smoke test, from a file or from `pulumi stack output --json`."""

from __future__ import annotations

import subprocess

import pytest

from ingest.errors import ConfigurationError
from ingest.smoke import StackOutputs, pulumi_stack_outputs, read_outputs_file
from tests.smoke.conftest import OUTPUTS, write_outputs


def test_a_file_of_pulumi_outputs_gives_everything_the_smoke_test_needs(tmp_path):
    outputs = read_outputs_file(write_outputs(tmp_path / "outputs.json"))
    assert outputs == StackOutputs(
        stream_name="tracking-stream",
        bucket_name="tracking-data",
        delivery_prefix="crypto/",
        error_prefix="errors/",
        region="us-east-1",
        buffering_interval_seconds=60,
        origin=str(tmp_path / "outputs.json"),
    )


def test_the_buffering_interval_is_optional(tmp_path):
    assert (
        read_outputs_file(write_outputs(tmp_path / "o.json", bufferingIntervalSeconds=None)).buffering_interval_seconds
        is None
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bucketName": None}, "lacks the output(s) bucketName"),
        ({"streamName": None, "region": ""}, "lacks the output(s) streamName, region"),
        ({"deliveryPrefix": 7}, "lacks the output(s) deliveryPrefix"),
        ({"bufferingIntervalSeconds": "300"}, "bufferingIntervalSeconds must be an integer"),
    ],
)
def test_missing_or_wrong_outputs_are_named(tmp_path, changes, message):
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_outputs_file(write_outputs(tmp_path / "outputs.json", **changes))


def test_an_unreadable_or_non_json_file_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="cannot read outputs file"):
        read_outputs_file(tmp_path / "absent.json")
    (tmp_path / "bad.json").write_text("Current stack outputs (3):")
    with pytest.raises(ConfigurationError, match="not JSON"):
        read_outputs_file(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(ConfigurationError, match="expected a JSON object"):
        read_outputs_file(tmp_path / "list.json")


def _runner(returncode: int, stdout: str = "", stderr: str = "", calls: list | None = None):
    def run(command, **kwargs):
        if calls is not None:
            calls.append((command, kwargs))
        return subprocess.CompletedProcess(command, returncode, stdout, stderr)

    return run


def test_pulumi_is_asked_for_the_named_stack_as_json():
    import json

    calls: list = []
    outputs = pulumi_stack_outputs(
        "prod", run=_runner(0, json.dumps(OUTPUTS), calls=calls), which=lambda name: f"/opt/bin/{name}"
    )
    assert outputs.stream_name == "tracking-stream" and outputs.origin == "stack prod"
    ((command, kwargs),) = calls
    assert command == ["/opt/bin/pulumi", "stack", "output", "--json", "--stack", "prod"]
    assert kwargs["check"] is False and kwargs["timeout"] > 0


def test_no_pulumi_on_path_points_at_the_outputs_file_alternative():
    with pytest.raises(ConfigurationError, match="pulumi CLI is not on PATH.*--outputs FILE"):
        pulumi_stack_outputs("dev", which=lambda name: None)


def test_a_failing_pulumi_command_reports_its_last_error_line():
    stderr = "warning: something\nerror: no stack named 'nope' found\n"
    with pytest.raises(ConfigurationError, match=r"--stack nope` failed: error: no stack named 'nope' found$"):
        pulumi_stack_outputs("nope", run=_runner(255, stderr=stderr), which=lambda name: "pulumi")


def test_a_hanging_pulumi_command_is_a_configuration_error():
    def hang(command, **kwargs):
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    with pytest.raises(ConfigurationError, match="did not answer"):
        pulumi_stack_outputs("dev", run=hang, which=lambda name: "pulumi")
