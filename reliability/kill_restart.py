"""A `python -m ingest publish` killed with SIGKILL half-way, then run again with the same checkpoint.

The whole local pipeline runs (moto's server, the Firehose stand-in), and the killed run is a real child
process. Its Kinesis endpoint is a FaultProxy that forwards two PutRecords calls and holds the third: the
process is killed while that call is in flight, a known point (three day files finished and checkpointed,
the fourth partly published), not a race with a timer. The second run, in-process, resumes from the
checkpoint; `verify` then reads the bucket. What the restart duplicated is counted from the stream itself
and compared with what `verify` reports.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ingest.local.stack import LocalStack, running_local_stack
from ingest.run.publish import PublishOptions, publish
from ingest.run.report import load_report
from ingest.verify import VerifyOptions, VerifyResult
from ingest.verify.polling import verify_delivery
from reliability.accounting import RecordKey, account, read_dead_letters
from reliability.aws import child_environment
from reliability.kinesis import read_stream
from reliability.proxy import Rule, kinesis_target, running_proxy
from reliability.results import Counts, Outcome

DAYS = 6
RECORDS = DAYS * 288
CALLS_BEFORE_KILL = 2
"""PutRecords calls (500 records each, no aggregation) that reach the stream before the run is killed."""
HELD_TIMEOUT_SECONDS = 60.0
VERIFY_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class KillRestart:
    checkpointed: int
    """Objects the killed run finished (in its checkpoint)."""
    killed_run_id: str
    restart_status: int
    verification: VerifyResult
    restart_duplicates: int
    """Records the killed run published for objects it did not finish: the restart publishes them again."""
    counts: Counts
    problems: list[str]


def _child_environment(stack: LocalStack, kinesis_endpoint: str) -> dict[str, str]:
    return child_environment({**stack.emulator.environment(), "AWS_ENDPOINT_URL_KINESIS": kinesis_endpoint})


def kill_and_restart(workdir: Path) -> KillRestart:
    workdir.mkdir(parents=True, exist_ok=True)
    checkpoint, problems = workdir / "checkpoint.json", []
    with running_local_stack(records=RECORDS) as stack:
        names, region = stack.pipeline.names, stack.pipeline.region
        common = ["--stream", names.stream, "--source", stack.source.url, "--region", region, "--no-aggregate"]
        hold = Rule(kinesis_target("PutRecords"), "hold", skip=CALLS_BEFORE_KILL)
        with running_proxy(stack.emulator.endpoint_url, [hold]) as proxy:
            files = ["--checkpoint", str(checkpoint), "--report", str(workdir / "killed-report.json")]
            files += ["--dead-letter", str(workdir / "killed.jsonl"), "--quiet"]
            child = subprocess.Popen(
                [sys.executable, "-m", "ingest", "publish", *common, *files],
                env=_child_environment(stack, proxy.url),
                cwd=workdir,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )  # fmt: skip
            held = hold.held.wait(HELD_TIMEOUT_SECONDS)
            child.send_signal(signal.SIGKILL)
            _, stderr = child.communicate()
        if not held:
            problems.append(f"the publish never reached call {CALLS_BEFORE_KILL + 1}: {stderr.decode()[-300:]}")
        killed_run_id = load_report(workdir / "killed-report.json").run_id
        finished = json.loads(checkpoint.read_text(encoding="utf-8")) if checkpoint.exists() else {}

        restart = publish(
            PublishOptions(
                stream=names.stream,
                source=stack.source.url,
                aggregate=False,
                region=region,
                report=workdir / "restart-report.json",
                dead_letter=workdir / "restart-dead-letter.jsonl",
                checkpoint=checkpoint,
            )
        )
        stack.firehose.flush()
        delivered = Counter[RecordKey](
            (item.run_id, item.source, item.index)
            for item in read_stream(stack.emulator.client("kinesis"), names.stream)
        )
        if restart.report is None:
            raise RuntimeError(f"the restarted publish could not start (exit {restart.status})")
        verification = verify_delivery(
            restart.report,
            VerifyOptions(
                bucket=names.bucket,
                prefix=stack.pipeline.args.data_prefix,
                error_prefix=stack.pipeline.args.error_prefix,
                timeout_seconds=VERIFY_TIMEOUT_SECONDS,
                poll_interval_seconds=0.5,
                region=region,
            ),
        )
    counts, run_problems = account(restart.report, read_dead_letters(workdir / "restart-dead-letter.jsonl"), delivered)
    restart_duplicates = sum(
        copies for (run_id, uri, _), copies in delivered.items() if run_id == killed_run_id and uri not in finished
    )
    counts.read += sum(copies for (run_id, _, _), copies in delivered.items() if run_id == killed_run_id)
    counts.published = len({(uri, index) for (_, uri, index) in delivered})
    counts.lost = verification.missing
    problems += run_problems
    return KillRestart(len(finished), killed_run_id, restart.status, verification, restart_duplicates, counts, problems)


def kill_restart_outcome(workdir: Path) -> Outcome:
    result = kill_and_restart(workdir)
    problems = list(result.problems)
    check = result.verification
    if result.restart_status != 0:
        problems.append(f"the restart exited {result.restart_status}")
    if not result.checkpointed:
        problems.append("the killed run checkpointed nothing")
    if not check.ok or check.expected != RECORDS:
        problems.append(f"verify: {check.expected} expected, {check.missing} missing (every one of {RECORDS} due)")
    if result.restart_duplicates == 0 or check.republished != result.restart_duplicates:
        problems.append(f"verify reports {check.republished} republished, the stream holds {result.restart_duplicates}")
    if check.unexpected or check.duplicated:
        problems.append(f"verify reports {check.unexpected} unexpected and {check.duplicated} duplicated")
    observed = (
        f"killed during PutRecords call {CALLS_BEFORE_KILL + 1} with {result.checkpointed} of {DAYS} objects "
        f"checkpointed; restart: exit {result.restart_status}, skipped {check.earlier_runs_expected} records as "
        f"unchanged; verify: {check.delivered} of {check.expected} delivered, {check.missing} missing, "
        f"{check.republished} republished (the killed run's records of the object it had not finished)"
    )
    return Outcome(
        "fault",
        "sigkill-then-restart",
        f"`python -m ingest publish` killed with SIGKILL half-way ({RECORDS} records), restarted with its checkpoint",
        observed,
        result.counts,
        problems,
    )
