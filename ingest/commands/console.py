"""What the commands do around their work: one-line failures, and for a publish (by `publish` or `smoke`) log lines
on stderr, graceful signals and progress, as one `console_session`."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING

from ingest.errors import ConfigurationError, IngestError
from ingest.run.stop import StopRequest

if TYPE_CHECKING:
    from ingest.run.progress import Progress

LOGGER = logging.getLogger("ingest.cli")


def fail(command: str, status: int, message: str) -> int:
    """Expected errors reach the user as one line naming the command and the reason."""
    print(f"ingest {command}: {message}", file=sys.stderr)
    return status


def fail_on_error(command: str, exc: IngestError) -> int:
    """The one mapping from an expected error to an exit status, for every command: 2 for a configuration error
    (the run could not start as asked), 1 for any other (it started and broke)."""
    return fail(command, 2 if isinstance(exc, ConfigurationError) else 1, str(exc))


@dataclass(frozen=True)
class ConsoleSession:
    """What a publish run takes from the console: the stop a signal sets, and the display of its progress."""

    stop: StopRequest
    progress: Progress


@contextmanager
def console_session(*, quiet: bool) -> Iterator[ConsoleSession]:
    """Log lines on stderr, graceful SIGINT/SIGTERM (the first winds the run down, the second stops it), and
    progress bars or lines (nothing with `quiet`), for as long as the run inside lasts."""
    from ingest.run.progress import progress_display  # tqdm, only for a command that shows progress

    stop = StopRequest()
    with _console_logging(quiet=quiet), _graceful_signals(stop), progress_display(quiet=quiet) as progress:
        yield ConsoleSession(stop, progress)


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
