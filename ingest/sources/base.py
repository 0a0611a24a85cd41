"""The contract every source satisfies: list objects, open one as a byte stream, tell its identity."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO, Protocol, runtime_checkable


@dataclass(frozen=True)
class SourceObject:
    """One readable object and what identifies its content.

    `version` (an ETag, or a local file's mtime) together with `size` lets a checkpoint tell an unchanged
    object from a rewritten one without reading it.
    """

    uri: str
    """Canonical, stable address (`s3://bucket/key`, `https://...`, `file:///abs/path`): provenance and hashing."""
    key: str
    """Name relative to the source root; its extension drives format detection."""
    size: int | None = None
    version: str | None = None
    content_type: str | None = None
    content_encoding: str | None = None


class Source(Protocol):
    """A place records come from. Implementations live one per module in `ingest.sources`."""

    @property
    def uri(self) -> str:
        """The source root as the user would write it back (used in reports)."""
        ...

    def list_objects(self) -> Iterator[SourceObject]:
        """Every object under the root, recursively, in a stable order; folder markers skipped."""
        ...

    def open(self, obj: SourceObject) -> AbstractContextManager[BinaryIO]:
        """The object's bytes exactly as stored (compression is undone by `ingest.formats`, not here)."""
        ...


@runtime_checkable
class ResumableListing(Protocol):
    """A source that can start its listing after a given object instead of at the beginning, so a listing
    continued n times costs what one listing costs, not n of them. Optional: a source without it is resumed by
    `ingest.sources.list_objects_after`, which lists from the start and skips."""

    def list_objects_after(self, uri: str) -> Iterator[SourceObject]:
        """What `list_objects` yields after the object `uri` (which need not exist any more), in the same order."""
        ...
