"""The checkpoint: which objects earlier runs finished, so the next run skips them while they are unchanged.

The file maps each object URI to `{version, size, records_published, records_rejected, published_indices,
run_id, completed_at}`. An object is recorded only once every record it yielded was acknowledged
(published, or rejected for a reason re-reading would not change) and none failed; the file is rewritten
atomically after each such object. A SIGKILL therefore loses at most the objects in flight, which the next
run publishes again (at-least-once: `verify` reports the duplicates).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.errors import ConfigurationError
from ingest.index_ranges import IndexRanges
from ingest.json_files import write_json_atomically
from ingest.sources.base import SourceObject
from ingest.stamps import utc_now


@dataclass(frozen=True)
class CheckpointEntry:
    """One finished object: enough to recognise it unchanged, and to let `verify` name what the run published."""

    version: str | None
    size: int | None
    records_published: int
    records_rejected: int
    published_indices: IndexRanges
    run_id: str
    """The run that published it: an unchanged object's records carry this id, not the current run's."""
    completed_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "size": self.size,
            "records_published": self.records_published,
            "records_rejected": self.records_rejected,
            "published_indices": self.published_indices.to_list(),
            "run_id": self.run_id,
            "completed_at": self.completed_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckpointEntry:
        """Raises KeyError, TypeError or ValueError for an entry that lacks a field or has the wrong kind of one."""
        return cls(
            version=_optional(data.get("version"), str),
            size=_optional(data.get("size"), int),
            records_published=_required(data["records_published"], int),
            records_rejected=_required(data["records_rejected"], int),
            published_indices=IndexRanges(data.get("published_indices") or ()),
            run_id=_required(data["run_id"], str),
            completed_at=_required(data["completed_at"], str),
        )


def _required(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"expected {kind.__name__}, got {value!r}")
    return value


def _optional(value: Any, kind: type) -> Any:
    return None if value is None else _required(value, kind)


class Checkpoint:
    """Entries are kept in memory and the whole file is rewritten per completed object.

    One file per worker: two processes rewriting the same checkpoint would lose each other's entries, so
    partitioned workers each get their own path.
    """

    def __init__(self, path: Path, entries: dict[str, CheckpointEntry] | None = None) -> None:
        self.path = path
        self._entries: dict[str, CheckpointEntry] = dict(entries or {})

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        """A missing file is an empty checkpoint (the first run); an unreadable one stops the run."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            raise ConfigurationError(f"cannot read checkpoint {path}: {exc.strerror or exc}") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"checkpoint {path} is not valid JSON ({exc}); delete it to publish everything again"
            ) from None
        if not isinstance(document, dict) or not all(isinstance(value, dict) for value in document.values()):
            raise ConfigurationError(f"checkpoint {path} is not a mapping of object URI to entry")
        entries = {}
        for uri, data in document.items():
            try:
                entries[uri] = CheckpointEntry.from_dict(data)
            except (KeyError, TypeError, ValueError) as exc:
                raise ConfigurationError(
                    f"checkpoint {path}: the entry for {uri} is malformed ({exc!r:.200}); delete the file to publish "
                    "everything again"
                ) from None
        return cls(path, entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, uri: object) -> bool:
        return uri in self._entries

    def entry(self, uri: str) -> CheckpointEntry | None:
        return self._entries.get(uri)

    def unchanged(self, obj: SourceObject) -> CheckpointEntry | None:
        """The entry for `obj` if it was completed with the same version and size, else None.

        An object without a version (a source that cannot tell) never counts as unchanged: re-publishing
        is safe, skipping changed data is not.
        """
        entry = self._entries.get(obj.uri)
        if entry is None or obj.version is None:
            return None
        if entry.version == obj.version and entry.size == obj.size:
            return entry
        return None

    def record(
        self,
        obj: SourceObject,
        *,
        run_id: str,
        records_published: int,
        records_rejected: int,
        published_indices: IndexRanges,
    ) -> None:
        self._entries[obj.uri] = CheckpointEntry(
            version=obj.version,
            size=obj.size,
            records_published=records_published,
            records_rejected=records_rejected,
            published_indices=IndexRanges(published_indices.to_list()),
            run_id=run_id,
            completed_at=utc_now(),
        )
        self.save()

    def save(self) -> None:
        write_json_atomically(self.path, {uri: entry.to_dict() for uri, entry in self._entries.items()})

    def check_writable(self) -> None:
        """Rewrite the file as it is, so an unwritable path stops the run before it publishes anything."""
        try:
            self.save()
        except OSError as exc:
            raise ConfigurationError(f"cannot write checkpoint {self.path}: {exc.strerror or exc}") from None
