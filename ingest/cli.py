"""`python -m ingest`: the command line.

Exit status: 0 when every valid record was published (rejections are reported, not failures), 1 when a
record failed to publish, an object could not be read, or the run aborted, 2 for usage and configuration
errors (bad flag, unknown stream, unreadable source, missing or refused credentials). Expected errors
print one line on stderr; a traceback means a bug.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import NoReturn

from botocore.exceptions import BotoCoreError, ClientError

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

PROG = "python -m ingest"
LATER = "not yet available: lands with issue 5 (delivery verification and local demo)"

LOGGER = logging.getLogger("ingest.cli")

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (exit 2) instead of the usage block followed by the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _partition(text: str) -> Partition:
    try:
        return Partition.parse(text)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Publish crypto price records to the pipeline's Kinesis stream.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    publish = commands.add_parser(
        "publish",
        help="read, validate and publish records to a Kinesis stream",
        description="Read every object of the source, validate its records and publish them to the stream.",
    )
    publish.add_argument("--stream", required=True, help="Kinesis data stream name")
    publish.add_argument("--source", default=DEFAULT_SOURCE, help="s3://bucket/prefix/, https URL or local path")
    publish.add_argument(
        "--format",
        default=AUTO,
        choices=[AUTO, *format_names()],
        help="record format; auto picks one per object from its extension or content type",
    )
    publish.add_argument(
        "--aggregate",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="pack many records into each Kinesis record (KPL aggregation format; default on)",
    )
    publish.add_argument("--no-sign-request", action="store_true", help="read an S3 source anonymously")
    publish.add_argument("--region", help="AWS region of the stream and of an s3:// source (default: AWS chain)")
    publish.add_argument("--report", type=Path, metavar="PATH", help="write the JSON run report here")
    publish.add_argument(
        "--dead-letter",
        type=Path,
        metavar="PATH",
        help="append rejected records here as JSON Lines (default: ./dead-letter-RUN_ID.jsonl, if any)",
    )
    publish.add_argument("--checkpoint", type=Path, metavar="PATH", help="skip objects published unchanged before")
    publish.add_argument(
        "--full", action="store_true", help="publish everything, ignoring (but updating) the checkpoint"
    )
    publish.add_argument(
        "--partition",
        type=_partition,
        metavar="I/N",
        help="publish only objects whose URI hashes to partition I of N (I from 0 to N-1)",
    )
    publish.add_argument("--quiet", action="store_true", help="no progress bars or log lines")
    publish.set_defaults(handler=_publish)

    for name, status in (("verify", 2), ("smoke", 2), ("demo", 0)):
        later = commands.add_parser(name, help=LATER)
        later.set_defaults(handler=_later(name, status))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
    except ConfigurationError as exc:  # a format plugin that fails to load
        print(f"ingest: {exc}", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else 2
    handler: Handler = args.handler
    return handler(args)


def _later(name: str, status: int) -> Handler:
    def handler(args: argparse.Namespace) -> int:
        print(f"ingest {name}: {LATER}", file=sys.stderr)
        return status

    return handler


def _fail(status: int, message: str) -> int:
    print(f"ingest publish: {message}", file=sys.stderr)
    return status


@dataclass
class _Setup:
    source: Source
    publisher: KinesisPublisher
    report: RunReport
    dead_letter: DeadLetterWriter
    checkpoint: Checkpoint | None


def _prepare(args: argparse.Namespace) -> _Setup:
    """Everything that can fail because of the setup, checked before a single object is read (exit 2)."""
    source = open_source(args.source, SourceOptions(no_sign_request=args.no_sign_request, region=args.region))
    client = kinesis_client(args.region)
    describe_stream(client, args.stream)
    checkpoint = Checkpoint.load(args.checkpoint) if args.checkpoint else None
    if checkpoint is not None:
        checkpoint.check_writable()
    report = RunReport(
        run_id=new_run_id(),
        source=source.uri,
        stream=args.stream,
        aggregate=args.aggregate,
        format=args.format,
        partition=str(args.partition) if args.partition else None,
        checkpoint=str(args.checkpoint) if args.checkpoint else None,
    )
    if args.report is not None:
        try:
            write_report(report, args.report)
        except OSError as exc:
            raise ConfigurationError(f"cannot write report {args.report}: {exc.strerror or exc}") from None
    dead_letter = DeadLetterWriter(
        args.dead_letter or Path(f"dead-letter-{report.run_id}.jsonl"),
        report.run_id,
        create=args.dead_letter is not None,
    )
    publisher = KinesisPublisher(client, args.stream, aggregate=args.aggregate)
    return _Setup(source, publisher, report, dead_letter, checkpoint)


def _publish(args: argparse.Namespace) -> int:
    stop = StopRequest()
    with _console_logging(quiet=args.quiet), _graceful_signals(stop):
        try:
            setup = _prepare(args)
        except ConfigurationError as exc:
            return _fail(2, str(exc))
        except (BotoCoreError, ClientError) as exc:
            return _fail(2, credential_problem(exc) or f"cannot use stream {args.stream!r}: {exc}")
        abort_status = _run(args, setup, stop)

    report = setup.report
    if not args.quiet:
        print(summarize(report, report_path=args.report))
    reason = failure_reason(report)
    if reason is None:
        return 0
    return _fail(abort_status if report.aborted else 1, reason)


def _run(args: argparse.Namespace, setup: _Setup, stop: StopRequest) -> int:
    """Run the pipeline; returns the exit status an abort deserves (the report says whether it aborted)."""
    settings = RunSettings(format_name=args.format, partition=args.partition, full=args.full)
    with setup.dead_letter, progress_display(quiet=args.quiet) as progress:
        try:
            run_publish(
                setup.source,
                setup.publisher,
                setup.report,
                dead_letter=setup.dead_letter,
                settings=settings,
                checkpoint=setup.checkpoint,
                progress=progress,
                report_path=args.report,
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


@contextmanager
def _console_logging(*, quiet: bool) -> Iterator[None]:
    """Log lines of the `ingest` loggers on stderr for this command only (errors only with --quiet)."""
    logger = logging.getLogger("ingest")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.setLevel(logging.ERROR if quiet else logging.INFO)
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)


@contextmanager
def _graceful_signals(stop: StopRequest) -> Iterator[None]:
    """SIGINT / SIGTERM (Ctrl-C, Kubernetes, ECS, CI cancellation) wind the run down: nothing more is read,
    records in flight are settled, the report is written, exit status 1. A second signal stops at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.requested:
            raise KeyboardInterrupt(name)
        stop.set(name)
        LOGGER.warning("%s: settling the records in flight, then stopping; send it again to stop at once", name)

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
