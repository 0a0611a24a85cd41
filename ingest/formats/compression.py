"""Transparent, bounded gzip decompression.

An object is gzip when it starts with the gzip magic bytes; a `.gz` key or a `Content-Encoding: gzip`
declares it, and a declaration the bytes contradict is an error rather than a silent guess. Decompression is
bounded in total size and in expansion ratio, so a small hostile object (a "gzip bomb") is rejected early.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from typing import BinaryIO, cast

from ingest.errors import FormatError
from ingest.formats.base import DEFAULT_CHUNK_SIZE, StoredObject
from ingest.formats.byte_reading import peek

GZIP_MAGIC = b"\x1f\x8b"
_GZIP_ENCODINGS = frozenset({"gzip", "x-gzip"})
_IDENTITY_ENCODINGS = frozenset({"", "identity"})


@dataclass(frozen=True)
class DecompressionLimits:
    """Legitimate price data expands 5-20x; deflate's ceiling is about 1000x."""

    max_bytes: int = 4 * 1024**3
    """Most decompressed bytes one object may produce."""
    max_ratio: float = 100.0
    """Most decompressed bytes per compressed byte read so far..."""
    ratio_applies_after: int = 16 * 1024**2
    """...checked once this many bytes came out, so small, very regular objects are not misjudged."""


DEFAULT_LIMITS = DecompressionLimits()


def declares_gzip(obj: StoredObject) -> bool:
    encoding = (obj.content_encoding or "").strip().lower()
    return obj.key.lower().endswith(".gz") or encoding in _GZIP_ENCODINGS


def decompressed(stream: BinaryIO, obj: StoredObject, *, limits: DecompressionLimits = DEFAULT_LIMITS) -> BinaryIO:
    """The object's content with gzip undone (bounded by `limits`), or the stream as is when not gzip."""
    encoding = (obj.content_encoding or "").strip().lower()
    if encoding not in _GZIP_ENCODINGS | _IDENTITY_ENCODINGS:
        raise FormatError(f"unsupported content encoding {obj.content_encoding!r} (only gzip is undone)")
    head, stream = peek(stream, len(GZIP_MAGIC))
    if head == GZIP_MAGIC:
        return cast(BinaryIO, _BoundedGunzip(stream, limits))
    if declares_gzip(obj):
        raise FormatError("declared gzip (by its .gz name or Content-Encoding) but does not start like gzip data")
    return stream


class _CountingReader:
    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.count += len(data)
        return data


class _BoundedGunzip(io.BufferedIOBase):
    """Decompressed bytes, handed on as they come out of the decompressor.

    A read returns what one step of decompression produced (fewer bytes than asked is not the end; b"" is).
    When the data turns out corrupt or truncated, the bytes decompressed before are returned first and the
    FormatError comes with the next read, so every record that was intact reaches the reader.
    """

    def __init__(self, compressed: BinaryIO, limits: DecompressionLimits) -> None:
        self._compressed = _CountingReader(compressed)
        # The stub wants a seekable fileobj; GzipFile seeks it only to rewind, which nothing here asks of it.
        self._gzip = gzip.GzipFile(fileobj=self._compressed, mode="rb")  # type: ignore[call-overload]
        self._limits = limits
        self._produced = 0
        self._pending_error: FormatError | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0:
            return self._read_all()
        if self._pending_error is not None:
            raise self._pending_error
        try:
            data = self._gzip.read1(size)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise FormatError(f"corrupt gzip data after {self._produced} decompressed bytes: {exc}") from exc
        self._produced += len(data)
        self._enforce_limits()
        return data

    def read1(self, size: int = -1, /) -> bytes:
        return self.read(size if size >= 0 else DEFAULT_CHUNK_SIZE)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # io passes only memoryview/bytearray
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _read_all(self) -> bytes:
        chunks: list[bytes] = []
        try:
            while data := self.read(DEFAULT_CHUNK_SIZE):
                chunks.append(data)
        except FormatError as exc:
            if not chunks:
                raise
            self._pending_error = exc
        return b"".join(chunks)

    def _enforce_limits(self) -> None:
        limits = self._limits
        if self._produced > limits.max_bytes:
            raise FormatError(f"gzip bomb refused: decompresses to more than {limits.max_bytes} bytes")
        ratio = self._produced / max(self._compressed.count, 1)
        if self._produced > limits.ratio_applies_after and ratio > limits.max_ratio:
            raise FormatError(
                f"gzip bomb refused: {self._compressed.count} compressed bytes expand to more than "
                f"{self._produced} ({ratio:.0f}x, limit {limits.max_ratio:g}x)"
            )
