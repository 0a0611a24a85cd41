"""One byte-stream wrapper shared by the sources: a transport's read errors become `SourceError`, and a source
that can ask for the rest of an object (an HTTP Range request) resumes after a broken connection.

Format readers only know `FormatError`; without this, a connection reset half-way through an S3 body would
surface as a urllib3 or botocore exception the run cannot classify. Resuming matters because botocore's and
urllib3's retries stop once the response headers arrived: a reset or a read timeout while the body streams
would otherwise fail the whole object (retried, whole, by the next run, duplicating what was published).
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable
from typing import BinaryIO, Protocol

from ingest.errors import SourceError

LOGGER = logging.getLogger("ingest.sources")

STREAM_BUFFER_SIZE = 64 * 1024
MAX_RESUMES_WITHOUT_PROGRESS = 5
"""Reopening the object this many times in a row without receiving a byte in between gives up on it."""


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


Reopen = Callable[[int], _Readable]
"""Opens the same object again from a byte offset (the same version of it), or raises SourceError."""


class _TranslatingReader(io.RawIOBase):
    def __init__(
        self,
        body: _Readable,
        uri: str,
        errors: tuple[type[BaseException], ...],
        reopen: Reopen | None,
        size: int | None,
    ) -> None:
        self._body = body
        self._uri = uri
        self._errors = errors
        self._reopen = reopen
        self._size = size
        self._offset = 0
        self._failures_in_a_row = 0
        self.resumes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # io passes only memoryview/bytearray
        while True:
            try:
                data = self._body.read(len(buffer))
                break
            except self._errors as exc:
                if self._size is not None and self._offset >= self._size:
                    data = b""  # every byte arrived; only the end of the response was lost
                    break
                self._resume_or_raise(exc)
        size = len(data)
        buffer[:size] = data
        if size:
            self._offset += size
            self._failures_in_a_row = 0
        return size

    def _resume_or_raise(self, exc: BaseException) -> None:
        self._failures_in_a_row += 1
        if self._reopen is None or self._failures_in_a_row > MAX_RESUMES_WITHOUT_PROGRESS:
            raise SourceError(f"reading {self._uri} failed: {exc} (after {self._offset} bytes)") from exc
        LOGGER.warning("reading %s failed after %d bytes (%s); asking for the rest", self._uri, self._offset, exc)
        self._close_body()
        self._body = self._reopen(self._offset)
        self.resumes += 1

    def _close_body(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):  # the connection is already broken; closing it can fail too
                close()

    def close(self) -> None:
        """Closes the bodies this reader opened itself; the first one belongs to the source's `open()`."""
        if self.resumes:
            self._close_body()
        super().close()


def guarded_stream(
    body: _Readable,
    uri: str,
    errors: tuple[type[BaseException], ...],
    *,
    reopen: Reopen | None = None,
    size: int | None = None,
) -> BinaryIO:
    """A buffered view of `body` raising SourceError (naming `uri`) for any of `errors`.

    With `reopen`, a read error first asks for the rest of the object from the first byte not yet delivered,
    so the reader above never notices; `size` (when known) tells a lost end-of-response from a lost body.
    Closing the view leaves the original `body` open: the source's `open()` context owns and closes it.
    """
    return io.BufferedReader(_TranslatingReader(body, uri, errors, reopen, size), STREAM_BUFFER_SIZE)
