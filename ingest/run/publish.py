"""`publish()`: one whole run from options, for the command line, `smoke`, the demo and any other caller (a
Lambda handler, a notebook). It sets up (every setup problem found before a single object is read), runs the
pipeline, and returns a typed result; it never prints and never exits.

Status, as the command's exit status: 0 when every valid record was published (rejections are reported, not
failures); 1 when a record failed to publish, an object could not be read, or the run aborted; 2 for setup
problems (unknown stream, unreadable source, missing or refused credentials, an unwritable report).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ingest.clients import kinesis_client
from ingest.credential_errors import credential_problem
from ingest.errors import ConfigurationError, IngestError, SourceError
from ingest.formats import AUTO
from ingest.publishing import KinesisPublisher, describe_stream
from ingest.run.checkpoint import Checkpoint
from ingest.run.dead_letter import DeadLetterWriter
from ingest.run.partition import Partition
from ingest.run.pipeline import RunSettings, run_pipeline
from ingest.run.progress import Progress
from ingest.run.report import RunReport, write_report
from ingest.run.stop import StopRequest
from ingest.run.summary import failure_reason
from ingest.sources import DEFAULT_SOURCE, Source, SourceOptions, open_source
from ingest.stamps import new_run_id


@dataclass(frozen=True)
class PublishOptions:
    """What to publish where: the command's flags (all but how it displays progress)."""

    stream: str
    source: str = DEFAULT_SOURCE
    format: str = AUTO
    aggregate: bool = True
    no_sign_request: bool = False
    region: str | None = None
    report: Path | None = None
    dead_letter: Path | None = None
    checkpoint: Path | None = None
    full: bool = False
    partition: Partition | None = None
    run_id: str | None = None
    """The run id the records carry; None: a new one. The cloud job passes its planner run's id, so every object
    of one run is verified against one merged report."""
    source_region: str | None = None
    """Region of an s3:// source when it differs from the stream's (the sample bucket is in ap-southeast-1)."""


@dataclass(frozen=True)
class PublishResult:
    status: int
    """0, 1 or 2, as above."""
    report: RunReport | None
    """None when the run could not start."""
    problem: str | None = None
    """Why the status is not 0, in one line; None on success."""


def publish(
    options: PublishOptions,
    *,
    stop: StopRequest | None = None,
    progress: Progress | None = None,
    kinesis: Any | None = None,
) -> PublishResult:
    """One run: set up (status 2 on any setup problem, before anything is read), publish, account. `kinesis` is a
    client to publish with (the bench's shard-limit stand-in); None: one from the standard AWS chain."""
    try:
        setup = _prepare(options, kinesis)
    except ConfigurationError as exc:
        return PublishResult(2, None, str(exc))
    except (BotoCoreError, ClientError) as exc:
        return PublishResult(2, None, credential_problem(exc) or f"cannot use stream {options.stream!r}: {exc}")
    abort_status = _run(options, setup, stop or StopRequest(), progress)
    report = setup.report
    reason = failure_reason(report)
    if reason is None:
        return PublishResult(0, report)
    return PublishResult(abort_status if report.aborted else 1, report, reason)


@dataclass
class _Setup:
    source: Source
    publisher: KinesisPublisher
    report: RunReport
    dead_letter: DeadLetterWriter
    checkpoint: Checkpoint | None


def _prepare(options: PublishOptions, kinesis: Any | None) -> _Setup:
    """Everything that can fail because of the setup, checked before a single object is read (status 2)."""
    source_options = SourceOptions(
        no_sign_request=options.no_sign_request, region=options.source_region or options.region
    )
    source = open_source(options.source, source_options)
    client = kinesis if kinesis is not None else kinesis_client(options.region)
    describe_stream(client, options.stream)
    checkpoint = Checkpoint.load(options.checkpoint) if options.checkpoint else None
    if checkpoint is not None:
        checkpoint.check_writable()
    report = RunReport(
        run_id=options.run_id or new_run_id(),
        source=source.uri,
        stream=options.stream,
        aggregate=options.aggregate,
        format=options.format,
        partition=str(options.partition) if options.partition else None,
        checkpoint=str(options.checkpoint) if options.checkpoint else None,
    )
    if options.report is not None:
        try:
            write_report(report, options.report)
        except OSError as exc:
            raise ConfigurationError(f"cannot write report {options.report}: {exc.strerror or exc}") from None
    dead_letter = DeadLetterWriter(
        options.dead_letter or Path(f"dead-letter-{report.run_id}.jsonl"),
        report.run_id,
        create=options.dead_letter is not None,
    )
    publisher = KinesisPublisher(client, options.stream, aggregate=options.aggregate)
    return _Setup(source, publisher, report, dead_letter, checkpoint)


def _run(options: PublishOptions, setup: _Setup, stop: StopRequest, progress: Progress | None) -> int:
    """Run the pipeline; returns the status an abort deserves (the report says whether it aborted)."""
    settings = RunSettings(format_name=options.format, partition=options.partition, full=options.full)
    with setup.dead_letter:
        try:
            run_pipeline(
                setup.source,
                setup.publisher,
                setup.report,
                dead_letter=setup.dead_letter,
                settings=settings,
                checkpoint=setup.checkpoint,
                progress=progress,
                report_path=options.report,
                stop=stop,
            )
        except KeyboardInterrupt:
            return 1  # a second signal: the report says "interrupted"
        except (IngestError, BotoCoreError, ClientError, OSError) as exc:
            return _abort_status(exc, setup.report)
    return 1


def _abort_status(exc: BaseException, report: RunReport) -> int:
    """2 when the run stopped because of its setup (credentials, an unreadable source), else 1."""
    if credential_problem(exc) is not None or isinstance(exc, ConfigurationError):
        return 2
    if isinstance(exc, SourceError) and report.objects_listed == 0:
        return 2
    return 1
