"""One registry of named entries of one kind, used by the sources and by the formats.

A module registers itself when imported (`register_source(...)`, `register_format(...)` at its bottom), whether
it is built in or comes from another distribution under an entry-point group. Both are imported on the first
lookup, not on `import ingest`: a command that never reads a source does not pay for boto3, and a broken plugin
cannot break the import of the package.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint, entry_points
from types import MappingProxyType
from typing import Generic, TypeVar

from ingest.errors import ConfigurationError, DuplicateRegistrationError

Entry = TypeVar("Entry")


class Registry(Generic[Entry]):
    """Entries by name. `add` never loads anything (modules call it while they are being loaded); every lookup
    goes through `entries()`, which imports the built-in modules, then the plugins, once."""

    def __init__(self, kind: str, *, group: str, built_in: Iterable[str]) -> None:
        self.kind = kind
        self.group = group
        self.built_in = tuple(built_in)
        self.plugins_scanned = False
        """Entry points are read once per registry: scanning installed distributions costs more than a lookup."""
        self._entries: dict[str, Entry] = {}
        self._loaded_plugins: set[str] = set()
        self._loading = False
        self._lock = threading.RLock()
        """Workers publish objects in threads (the job's local stand-in, any threaded caller): a second thread must
        wait for the first load to finish, not see a half-filled registry. Re-entrant for the loading thread."""

    def __getstate__(self) -> dict[str, object]:
        """A copy (the tests isolate a registry in one) gets its own lock: a lock cannot be copied."""
        state = dict(self.__dict__)
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def check_free(self, name: str) -> None:
        """Silently replacing an entry would change how existing objects are read: a taken name is an error."""
        if name in self._entries:
            raise DuplicateRegistrationError(f"{self.kind} {name!r} is already registered")

    def add(self, name: str, entry: Entry) -> None:
        self.check_free(name)
        self._entries[name] = entry

    def entries(self) -> Mapping[str, Entry]:
        """Every entry, built-ins and plugins loaded first."""
        self._load()
        return MappingProxyType(self._entries)

    def _load(self) -> None:
        if self.plugins_scanned:
            return
        with self._lock:
            if self.plugins_scanned or self._loading:
                return
            self._loading = True  # a module being imported here registers itself and must not start another load
            try:
                for module in self.built_in:
                    importlib.import_module(module)
                self._load_plugins(entry_points(group=self.group))
                self.plugins_scanned = True
            finally:
                self._loading = False

    def _load_plugins(self, found: Iterable[EntryPoint]) -> None:
        """Import each not-yet-loaded plugin; a broken one is a configuration error naming it (exit 2), never an
        obscure failure later."""
        for entry_point in found:
            if entry_point.name in self._loaded_plugins:
                continue
            where = f"{self.kind} plugin {entry_point.name!r} ({entry_point.value})"
            try:
                entry_point.load()
            except Exception as exc:  # a plugin can fail in any way; name it instead of crashing obscurely
                raise ConfigurationError(f"{where} failed to load: {exc}") from exc
            self._loaded_plugins.add(entry_point.name)
            if entry_point.name not in self._entries:
                raise ConfigurationError(f"{where} registered no {self.kind} of that name")
