"""One byte-stream wrapper shared by the sources: a transport's read errors become `SourceError`.

Format readers only know `FormatError`; without this, a connection reset half-way through an S3 body would
surface as a urllib3 or botocore exception the run cannot classify.
"""

from __future__ import annotations

import io
from typing import BinaryIO, Protocol

from ingest.errors import SourceError

STREAM_BUFFER_SIZE = 64 * 1024


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _TranslatingReader(io.RawIOBase):
    def __init__(self, body: _Readable, uri: str, errors: tuple[type[BaseException], ...]) -> None:
        self._body = body
        self._uri = uri
        self._errors = errors

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # io passes only memoryview/bytearray
        try:
            data = self._body.read(len(buffer))
        except self._errors as exc:
            raise SourceError(f"reading {self._uri} failed: {exc}") from exc
        size = len(data)
        buffer[:size] = data
        return size


def guarded_stream(body: _Readable, uri: str, errors: tuple[type[BaseException], ...]) -> BinaryIO:
    """A buffered view of `body` raising SourceError (naming `uri`) for any of `errors`.

    Closing the view leaves `body` open: the source's `open()` context owns and closes it.
    """
    return io.BufferedReader(_TranslatingReader(body, uri, errors), STREAM_BUFFER_SIZE)
