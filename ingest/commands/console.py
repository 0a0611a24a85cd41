"""What every command does around its work: log lines on stderr, graceful signals, one-line failures."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from ingest.run.stop import StopRequest

LOGGER = logging.getLogger("ingest.cli")


def fail(command: str, status: int, message: str) -> int:
    """Expected errors reach the user as one line naming the command and the reason."""
    print(f"ingest {command}: {message}", file=sys.stderr)
    return status


@contextmanager
def console_logging(*, quiet: bool) -> Iterator[None]:
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
def graceful_signals(stop: StopRequest) -> Iterator[None]:
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
