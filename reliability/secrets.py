"""No credential or secret value in any output: fake credentials with recognisable values in the environment,
then publish, verify, smoke and demo, succeeding and failing, and every byte they printed or wrote grepped."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from ingest import cli
from ingest.clients import kinesis_client
from ingest.local.stack import LocalStack, running_local_stack
from reliability.aws import aws_environment, child_environment
from reliability.corpus import CORPUS_DIR
from reliability.kinesis import FaultyKinesis
from reliability.results import Outcome

SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIARELIABILITYCHECK",
    "AWS_SECRET_ACCESS_KEY": "reliability+Secret/AccessKey0123456789xyzSECRET",
    "AWS_SESSION_TOKEN": "reliabilitySessionToken//Q0123456789abcdefSECRET==",
}
"""Recognisable fake credentials: any of these values in an output is a leak."""
BAD_INPUTS = ("json-wrong-types.json", "jsonl-bad-lines.jsonl", "xml-external-entity.xml", "csv-missing-columns.csv")


@dataclass
class Transcript:
    """Everything the commands printed, with their exit statuses."""

    outputs: list[tuple[str, str]] = field(default_factory=list)
    statuses: list[tuple[str, int]] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)

    def command(self, label: str, argv: list[str]) -> int:
        """`python -m ingest ARGV` in this process, stdout and stderr kept; a crash is recorded, not raised."""
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                status = cli.main(argv)
            except Exception as exc:  # noqa: BLE001 - a crash is a finding of the check, reported with the others
                self.crashes.append(f"{label} crashed: {type(exc).__name__}: {exc}")
                status = -1
        self.record(label, status, stdout.getvalue() + stderr.getvalue())
        return status

    def record(self, label: str, status: int, output: str) -> None:
        self.outputs.append((label, output))
        self.statuses.append((label, status))


def _secret_environment(stack: LocalStack) -> dict[str, str]:
    return {**stack.emulator.environment(), **SECRETS}


def _exercise_with_secrets(workdir: Path, transcript: Transcript) -> None:
    """Publish, verify and smoke, succeeding and failing, with SECRETS as the credentials in the environment."""
    bad_inputs = workdir / "bad-inputs"
    bad_inputs.mkdir(parents=True)
    for name in BAD_INPUTS:
        shutil.copyfile(CORPUS_DIR / name, bad_inputs / name)
    with running_local_stack() as stack, aws_environment(_secret_environment(stack)):
        names, region, args = stack.pipeline.names, stack.pipeline.region, stack.pipeline.args
        stream = ["--stream", names.stream, "--region", region]
        bucket = ["--bucket", names.bucket, "--prefix", args.data_prefix, "--region", region]
        report = str(workdir / "report.json")
        transcript.command(
            "publish (S3 source, log lines on)",
            ["publish", *stream, "--source", stack.source.url, "--report", report,
             "--dead-letter", str(workdir / "dead-letter.jsonl"), "--checkpoint", str(workdir / "checkpoint.json")],
        )  # fmt: skip
        transcript.command(
            "publish (bad inputs: dead letters)",
            ["publish", *stream, "--source", str(bad_inputs), "--report", str(workdir / "bad-report.json"),
             "--dead-letter", str(workdir / "bad-dead-letter.jsonl")],
        )  # fmt: skip
        transcript.command("publish (no such stream)", ["publish", "--stream", "missing", "--source", str(bad_inputs)])
        _publish_with_expiring_credentials(workdir, transcript, stream, str(bad_inputs))
        transcript.command("verify (nothing delivered yet)", ["verify", "--report", report, *bucket, "--timeout", "0"])
        stack.firehose.flush()
        transcript.command("verify", ["verify", "--report", report, *bucket, "--timeout", "30", "--poll-interval", "1"])
        transcript.command("verify --json", ["verify", "--report", report, *bucket, "--timeout", "0", "--json"])
        transcript.command("verify (no such bucket)", ["verify", "--report", report, "--bucket", "missing-bucket"])
        outputs = workdir / "outputs.json"
        outputs.write_text(json.dumps(stack.pipeline.outputs()), encoding="utf-8")
        transcript.command(
            "smoke (times out: records still buffered)",
            ["smoke", "--outputs", str(outputs), "--source", stack.source.url, "--timeout", "1",
             "--poll-interval", "0.5", "--report", str(workdir / "smoke" / "report.json")],
        )  # fmt: skip
        transcript.command("smoke (no outputs file)", ["smoke", "--outputs", str(workdir / "missing.json")])
        _publish_in_a_child(workdir, transcript, _secret_environment(stack))


def _publish_with_expiring_credentials(workdir: Path, transcript: Transcript, stream: list[str], source: str) -> None:
    """`publish` whose credentials expire after the first PutRecords call (exit 2)."""
    faulty = FaultyKinesis(
        kinesis_client(stream[-1]), call_fault=lambda call: "ExpiredTokenException" if call > 1 else None
    )
    with mock.patch("ingest.run.publish.kinesis_client", lambda region=None: faulty):
        transcript.command(
            "publish (credentials expire)",
            ["publish", *stream, "--source", source, "--no-aggregate", "--dead-letter", str(workdir / "expired.jsonl"),
             "--report", str(workdir / "expired-report.json")],
        )  # fmt: skip


def _publish_in_a_child(workdir: Path, transcript: Transcript, aws: dict[str, str]) -> None:
    """One run as a separate process too: whatever the interpreter itself prints is caught as well."""
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "publish", "--stream", "missing", "--source", str(workdir / "bad-inputs")],
        env=child_environment(aws),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    transcript.record("python -m ingest publish (no such stream)", done.returncode, done.stdout + done.stderr)


def _readable(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"\x1f\x8b"):
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


def secrets_stay_out(workdir: Path) -> Outcome:
    workdir.mkdir(parents=True, exist_ok=True)
    transcript = Transcript()
    _exercise_with_secrets(workdir, transcript)
    with aws_environment(SECRETS):
        transcript.command(
            "demo", ["demo", "--records", "300", "--out", str(workdir / "demo")]
        )  # the demo replaces the credentials for its own emulator; its outputs are scanned all the same
    texts = transcript.outputs + [(str(path), _readable(path)) for path in sorted(workdir.rglob("*")) if path.is_file()]
    leaks = [
        f"{name} found in {label}"
        for label, text in texts
        for name, value in SECRETS.items()
        if value in text or value[4:-4] in text
    ]
    problems = leaks + transcript.crashes
    statuses = {label: status for label, status in transcript.statuses}
    expected_failures = [label for label, status in statuses.items() if status != 0]
    if len(expected_failures) < 5 or not any(status == 0 for status in statuses.values()):
        problems.append(f"the commands did not both succeed and fail: {statuses}")
    scanned = sum(len(text) for _, text in texts)
    observed = (
        f"{len(transcript.statuses)} commands ({len(statuses) - len(expected_failures)} exit 0, "
        f"{len(expected_failures)} failing with exit 1 or 2), {len(texts) - len(transcript.outputs)} files written: "
        f"{scanned:,} characters scanned, {len(leaks)} secrets found"
    )
    return Outcome(
        "security",
        "no-secret-in-outputs",
        "fake credentials with recognisable values in the environment; publish, verify, smoke and demo, "
        "succeeding and failing; stdout, stderr, reports, dead letters, checkpoint and delivered copies grepped",
        observed,
        None,
        problems,
    )
