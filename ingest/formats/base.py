"""The contract every format reader satisfies: bytes in, raw records (or per-record failures) out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO, NamedTuple, Protocol

DEFAULT_CHUNK_SIZE = 64 * 1024


class RawRecord(NamedTuple):
    """A decoded but not yet validated record.

    A named tuple rather than a frozen dataclass: one is built per record read, and a frozen dataclass costs
    three times as much to build (bench/, "Client cost").
    """

    index: int  # type: ignore[assignment]  # the field shadows tuple.index, which no caller uses
    """0-based ordinal among the records of its object: stable across runs, so `verify` can name it."""
    position: str
    """Where a person finds it in the object: "record 12", "line 13", "row 5"."""
    value: Any
    """Normally a mapping of field name to value; validation decides whether it is acceptable."""


class MalformedRecord(NamedTuple):
    """One record slot that could not be decoded, while the rest of the object still can (a bad JSONL line)."""

    index: int  # type: ignore[assignment]  # the field shadows tuple.index, which no caller uses
    position: str
    raw: str
    """The offending text, truncated for the dead-letter file."""
    reason: str


class StoredObject(Protocol):
    """What a format needs to know of the object it decodes: its name and how it says it is encoded.

    Declared here rather than imported from `ingest.sources`, so formats depend on nothing upstream of them:
    `ingest.sources.SourceObject` (and any other descriptor with these attributes) satisfies it.
    """

    @property
    def uri(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def content_encoding(self) -> str | None: ...


class FormatReader(Protocol):
    """Decodes a (decompressed) byte stream lazily: memory stays bounded whatever the object size.

    Raises `ingest.errors.FormatError` when the rest of the object cannot be decoded; what was yielded
    before that stands.
    """

    def __call__(
        self, stream: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> Iterator[RawRecord | MalformedRecord]: ...
