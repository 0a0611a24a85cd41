"""Byte-stream helpers for readers: look at the first bytes of a non-seekable stream, insist on UTF-8."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import BinaryIO, cast

from ingest.errors import FormatError
from ingest.formats.base import DEFAULT_CHUNK_SIZE

_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class _Replay(io.BufferedIOBase):
    """Bytes already read from a stream, then the rest of that stream; closing it leaves the stream open.

    Each read is at most one read of the stream, never a loop of them: when the stream raises after a short
    read (a corrupt gzip member), the bytes it returned before are handed on first, not dropped with the error
    as a buffered reader filling its request would.
    """

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        if not self._head:
            return self._stream.read(-1 if size is None else size)
        if size is None or size < 0:
            head, self._head = self._head, b""
            return head + self._stream.read()
        head, self._head = self._head[:size], self._head[size:]
        return head

    def read1(self, size: int = -1, /) -> bytes:
        return self.read(size)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # io passes only memoryview/bytearray
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def peek(stream: BinaryIO, size: int) -> tuple[bytes, BinaryIO]:
    """The first `size` bytes (fewer at end of stream) and a stream that still starts with them.

    Sources hand over network bodies that cannot seek back, so sniffing has to replay what it read.
    """
    head = b""
    while len(head) < size and (data := stream.read(size - len(head))):
        head += data
    return head, replay(head, stream)


def replay(head: bytes, stream: BinaryIO) -> BinaryIO:
    """`head`, then the rest of `stream`: bytes a reader took ahead, handed back to the reader that goes on."""
    return cast(BinaryIO, _Replay(head, stream))


def utf8_body(stream: BinaryIO) -> BinaryIO:
    """The stream without a UTF-8 byte-order mark; a UTF-16/32 one means the object is not UTF-8 at all."""
    head, stream = peek(stream, 4)
    for bom, encoding in _FOREIGN_BOMS:
        if head.startswith(bom):
            raise FormatError(f"encoded as {encoding} (byte-order mark {bom.hex(' ')}); expected UTF-8")
    if head.startswith(codecs.BOM_UTF8):
        stream.read(len(codecs.BOM_UTF8))
    return stream


# Complexity C (radon) kept on purpose: one pass of a line splitter's state (pending bytes, oversized) over
# chunks, on every line of every text format; split, the state would travel between calls on the hot path.
def numbered_lines(
    stream: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE, max_line_bytes: int
) -> Iterator[tuple[int, bytes | None]]:
    """(1-based line number, line without its LF) for each line, read `chunk_size` bytes at a time.

    A line longer than `max_line_bytes` comes out as None, its bytes dropped as they arrive: one endless
    line (a binary file, a missing newline) cannot exhaust memory, and the lines after it are still read.
    """
    pending = bytearray()
    number = 0
    oversized = False
    while chunk := stream.read(chunk_size):
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            number += 1
            if not oversized:
                pending += chunk[start:end]
            yield number, None if oversized or len(pending) > max_line_bytes else bytes(pending)
            pending.clear()
            oversized = False
            start = end + 1
        if not oversized:
            pending += chunk[start:]
            if len(pending) > max_line_bytes:
                oversized = True
                pending.clear()
    if pending or oversized:
        yield number + 1, None if oversized else bytes(pending)
