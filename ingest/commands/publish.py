"""`python -m ingest publish`: read, validate and publish every record of a source to a Kinesis stream.

Exit status: 0 when every valid record was published (rejections are reported, not failures), 1 when a
record failed to publish, an object could not be read, or the run aborted, 2 for usage and configuration
errors (bad flag, unknown stream, unreadable source, missing or refused credentials). `smoke` and `demo`
call `publish()` directly, so they run exactly this code path.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from ingest.commands.console import console_logging, fail, graceful_signals
from ingest.errors import ConfigurationError, IngestError, SourceError
from ingest.formats import AUTO, format_names
from ingest.publishing import KinesisPublisher, describe_stream
from ingest.run.aws import credential_problem, kinesis_client
from ingest.run.checkpoint import Checkpoint
from ingest.run.dead_letter import DeadLetterWriter
from ingest.run.partition import Partition
from ingest.run.pipeline import RunSettings, StopRequest, run_publish
from ingest.run.progress import progress_display
from ingest.run.report import RunReport, new_run_id, write_report
from ingest.run.summary import failure_reason, summarize
from ingest.sources import DEFAULT_SOURCE, Source, SourceOptions, open_source

COMMAND = "publish"


@dataclass(frozen=True)
class PublishOptions:
    """The command's flags, usable from code as well as from the command line."""

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
    quiet: bool = False


@dataclass(frozen=True)
class PublishResult:
    status: int
    report: RunReport | None
    """None when the run could not start (the reason was printed)."""


def _partition(text: str) -> Partition:
    try:
        return Partition.parse(text)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "publish",
        help="read, validate and publish records to a Kinesis stream",
        description="Read every object of the source, validate its records and publish them to the stream.",
    )
    parser.add_argument("--stream", required=True, help="Kinesis data stream name")
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="s3://bucket/prefix/, https URL or local path")
    parser.add_argument(
        "--format",
        default=AUTO,
        choices=[AUTO, *format_names()],
        help="record format; auto picks one per object from its extension or content type",
    )
    parser.add_argument(
        "--aggregate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="pack many records into each Kinesis record (KPL aggregation format; default on)",
    )
    parser.add_argument("--no-sign-request", action="store_true", help="read an S3 source anonymously")
    parser.add_argument("--region", help="AWS region of the stream and of an s3:// source (default: AWS chain)")
    parser.add_argument("--report", type=Path, metavar="PATH", help="write the JSON run report here")
    parser.add_argument(
        "--dead-letter",
        type=Path,
        metavar="PATH",
        help="append rejected records here as JSON Lines (default: ./dead-letter-RUN_ID.jsonl, if any)",
    )
    parser.add_argument("--checkpoint", type=Path, metavar="PATH", help="skip objects published unchanged before")
    parser.add_argument(
        "--full", action="store_true", help="publish everything, ignoring (but updating) the checkpoint"
    )
    parser.add_argument(
        "--partition",
        type=_partition,
        metavar="I/N",
        help="publish only objects whose URI hashes to partition I of N (I from 0 to N-1)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars or log lines")

    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    options = PublishOptions(**{field.name: getattr(args, field.name) for field in fields(PublishOptions)})
    return publish(options).status


def publish(options: PublishOptions) -> PublishResult:
    """One run: set up (exit 2 on any setup problem, before anything is read), publish, summarise."""
    stop = StopRequest()
    with console_logging(quiet=options.quiet), graceful_signals(stop):
        try:
            setup = _prepare(options)
        except ConfigurationError as exc:
            return PublishResult(fail(COMMAND, 2, str(exc)), None)
        except (BotoCoreError, ClientError) as exc:
            problem = credential_problem(exc) or f"cannot use stream {options.stream!r}: {exc}"
            return PublishResult(fail(COMMAND, 2, problem), None)
        abort_status = _run(options, setup, stop)

    report = setup.report
    if not options.quiet:
        print(summarize(report, report_path=options.report))
    reason = failure_reason(report)
    if reason is None:
        return PublishResult(0, report)
    return PublishResult(fail(COMMAND, abort_status if report.aborted else 1, reason), report)


@dataclass
class _Setup:
    source: Source
    publisher: KinesisPublisher
    report: RunReport
    dead_letter: DeadLetterWriter
    checkpoint: Checkpoint | None


def _prepare(options: PublishOptions) -> _Setup:
    """Everything that can fail because of the setup, checked before a single object is read (exit 2)."""
    source = open_source(options.source, SourceOptions(no_sign_request=options.no_sign_request, region=options.region))
    client = kinesis_client(options.region)
    describe_stream(client, options.stream)
    checkpoint = Checkpoint.load(options.checkpoint) if options.checkpoint else None
    if checkpoint is not None:
        checkpoint.check_writable()
    report = RunReport(
        run_id=new_run_id(),
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


def _run(options: PublishOptions, setup: _Setup, stop: StopRequest) -> int:
    """Run the pipeline; returns the exit status an abort deserves (the report says whether it aborted)."""
    settings = RunSettings(format_name=options.format, partition=options.partition, full=options.full)
    with setup.dead_letter, progress_display(quiet=options.quiet) as progress:
        try:
            run_publish(
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
