"""Loading plugins that other distributions declare under a package entry-point group.

Shared by the source and the format registries: a plugin module registers itself when imported, exactly like
a built-in one; this only imports it and checks that it did register under its entry-point name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.metadata import EntryPoint

from ingest.errors import ConfigurationError


def load_plugins(
    entry_points: Iterable[EntryPoint], *, kind: str, loaded: set[str], registered: Callable[[str], bool]
) -> None:
    """Import each not-yet-loaded plugin; a broken one is a configuration error naming it (exit 2), never an
    obscure failure later."""
    for entry_point in entry_points:
        if entry_point.name in loaded:
            continue
        where = f"{kind} plugin {entry_point.name!r} ({entry_point.value})"
        try:
            entry_point.load()
        except Exception as exc:  # a plugin can fail in any way; name it instead of crashing obscurely
            raise ConfigurationError(f"{where} failed to load: {exc}") from exc
        loaded.add(entry_point.name)
        if not registered(entry_point.name):
            raise ConfigurationError(f"{where} registered no {kind} of that name")
