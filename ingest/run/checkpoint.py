"""The checkpoint: which objects earlier runs finished, so the next run skips them while they are unchanged.

The file maps each object URI to `{version, size, records_published, records_rejected, published_indices,
run_id, completed_at}`. An object is recorded only once every record it yielded was acknowledged
(published, or rejected for a reason re-reading would not change) and none failed; the file is rewritten
atomically after each such object. A SIGKILL therefore loses at most the objects in flight, which the next
run publishes again (at-least-once: `verify` reports the duplicates).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ingest.errors import ConfigurationError
from ingest.run.files import write_json_atomically
from ingest.run.ranges import IndexRanges
from ingest.run.report import utc_now
from ingest.sources.base import SourceObject


class Checkpoint:
    """Entries are kept in memory and the whole file is rewritten per completed object.

    One file per worker: two processes rewriting the same checkpoint would lose each other's entries, so
    partitioned workers each get their own path.
    """

    def __init__(self, path: Path, entries: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] = dict(entries or {})

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
            entries = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"checkpoint {path} is not valid JSON ({exc}); delete it to publish everything again"
            ) from None
        if not isinstance(entries, dict) or not all(isinstance(value, dict) for value in entries.values()):
            raise ConfigurationError(f"checkpoint {path} is not a mapping of object URI to entry")
        return cls(path, entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, uri: object) -> bool:
        return uri in self._entries

    def entry(self, uri: str) -> dict[str, Any] | None:
        return self._entries.get(uri)

    def unchanged(self, obj: SourceObject) -> dict[str, Any] | None:
        """The entry for `obj` if it was completed with the same version and size, else None.

        An object without a version (a source that cannot tell) never counts as unchanged: re-publishing
        is safe, skipping changed data is not.
        """
        entry = self._entries.get(obj.uri)
        if entry is None or obj.version is None:
            return None
        if entry.get("version") == obj.version and entry.get("size") == obj.size:
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
        self._entries[obj.uri] = {
            "version": obj.version,
            "size": obj.size,
            "records_published": records_published,
            "records_rejected": records_rejected,
            "published_indices": published_indices.to_list(),
            "run_id": run_id,
            "completed_at": utc_now(),
        }
        self.save()

    def save(self) -> None:
        write_json_atomically(self.path, self._entries)

    def check_writable(self) -> None:
        """Rewrite the file as it is, so an unwritable path stops the run before it publishes anything."""
        try:
            self.save()
        except OSError as exc:
            raise ConfigurationError(f"cannot write checkpoint {self.path}: {exc.strerror or exc}") from None
