"""How a run shows it is alive: bars on a terminal, log lines in CI and containers, nothing with --quiet.

The pipeline only reports events; this module decides how they look, so the run's logic stays the same
whatever the output.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from ingest.run.report import ObjectOutcome, ObjectReport

LOGGER = logging.getLogger("ingest.run")


class Progress(Protocol):
    def object_skipped(self, uri: str, reason: str) -> None: ...

    def object_finished(self, entry: ObjectReport) -> None: ...

    def records_acknowledged(self, count: int) -> None: ...


def _describe(entry: ObjectReport) -> str:
    text = (
        f"{entry.status} {entry.uri}: {entry.records_read} read, {entry.published} published, "
        f"{entry.rejected} rejected, {entry.failed} failed"
    )
    return f"{text} ({entry.reason})" if entry.reason else text


def _log_object(entry: ObjectReport) -> None:
    troubled = entry.status in (ObjectOutcome.REJECTED, ObjectOutcome.FAILED)
    LOGGER.log(logging.WARNING if troubled else logging.INFO, "%s", _describe(entry))


class SilentProgress:
    def object_skipped(self, uri: str, reason: str) -> None:
        pass

    def object_finished(self, entry: ObjectReport) -> None:
        pass

    def records_acknowledged(self, count: int) -> None:
        pass


class LogProgress:
    """One line per finished object, and a heartbeat every `interval` seconds during long objects."""

    def __init__(self, interval: float = 10.0) -> None:
        self._interval = interval
        self._acknowledged = 0
        self._objects = 0
        self._last_beat = time.monotonic()

    def object_skipped(self, uri: str, reason: str) -> None:
        LOGGER.info("skipped %s (%s)", uri, reason)

    def object_finished(self, entry: ObjectReport) -> None:
        self._objects += 1
        _log_object(entry)

    def records_acknowledged(self, count: int) -> None:
        self._acknowledged += count
        now = time.monotonic()
        if now - self._last_beat >= self._interval:
            self._last_beat = now
            LOGGER.info("%d objects finished, %d records acknowledged so far", self._objects, self._acknowledged)


class BarProgress:
    """Two tqdm bars (objects, records); warnings about objects go above the bars."""

    def __init__(self, stream: TextIO) -> None:
        self._objects = tqdm(desc="objects", unit="obj", file=stream, position=0, leave=False, dynamic_ncols=True)
        self._records = tqdm(desc="records", unit="rec", file=stream, position=1, leave=False, dynamic_ncols=True)
        self._skipped = 0

    def object_skipped(self, uri: str, reason: str) -> None:
        self._skipped += 1
        self._objects.set_postfix(skipped=self._skipped, refresh=False)

    def object_finished(self, entry: ObjectReport) -> None:
        if entry.status in (ObjectOutcome.REJECTED, ObjectOutcome.FAILED):
            _log_object(entry)
        self._objects.update(1)

    def records_acknowledged(self, count: int) -> None:
        self._records.update(count)

    def close(self) -> None:
        self._records.close()
        self._objects.close()


@contextmanager
def progress_display(*, quiet: bool, stream: TextIO | None = None) -> Iterator[Progress]:
    """The display that suits `stream` (stderr by default): bars on a TTY, log lines otherwise."""
    stream = stream or sys.stderr
    if quiet:
        yield SilentProgress()
    elif stream.isatty():
        bars = BarProgress(stream)
        try:
            with logging_redirect_tqdm(loggers=[logging.getLogger("ingest")]):
                yield bars
        finally:
            bars.close()
    else:
        yield LogProgress()
