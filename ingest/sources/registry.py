"""Which source handles a `--source` value: an explicit registry, plus entry points for outside plugins.

Each source module registers itself once at import (`register_source(...)` at the bottom of the module).
A registration names the URI schemes it serves; a registration with an `accepts` predicate claims only some
addresses of a scheme (the S3 HTTPS endpoints among all `https://` URLs) and is consulted before the one that
takes the rest of the scheme. Plugins from other distributions are modules listed under the entry-point group
`tracking_pipeline.sources`; importing such a module performs its registration, exactly like a built-in one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Protocol

from ingest.errors import ConfigurationError, DuplicateRegistrationError, UnknownSourceError
from ingest.plugins import load_plugins
from ingest.sources.base import Source
from ingest.sources.options import SourceOptions

ENTRY_POINT_GROUP = "tracking_pipeline.sources"
PLAIN_PATH = ""
"""The scheme of a spec without `://`: a local path."""


class SourceFactory(Protocol):
    """Builds a ready source from the user's spec (clients are created here, once, never at import)."""

    def __call__(self, spec: str, options: SourceOptions) -> Source: ...


@dataclass(frozen=True)
class _Registration:
    kind: str
    factory: SourceFactory
    schemes: tuple[str, ...]
    accepts: Callable[[str], bool] | None

    def describe(self) -> str:
        forms = ", ".join("plain path" if s == PLAIN_PATH else f"{s}://" for s in self.schemes)
        return f"{self.kind} ({forms})"


@dataclass
class _SourceRegistry:
    registrations: dict[str, _Registration] = field(default_factory=dict)
    loaded_plugins: set[str] = field(default_factory=set)
    plugins_scanned: bool = False
    """Entry points are read once per registry: scanning installed distributions costs more than a lookup."""


_registry = _SourceRegistry()
_DEFAULT_OPTIONS = SourceOptions()


def register_source(
    kind: str,
    factory: SourceFactory,
    *,
    schemes: Iterable[str],
    accepts: Callable[[str], bool] | None = None,
) -> None:
    """Make `factory` the source for specs with one of `schemes` (`""` = a plain path).

    Without `accepts` the kind takes every spec of those schemes that no more specific kind accepts; two such
    catch-all kinds for one scheme would make the choice arbitrary, so the second is rejected.
    """
    schemes = tuple(scheme.lower() for scheme in schemes)
    if not schemes:
        raise ValueError(f"source {kind!r} must name at least one scheme")
    if kind in _registry.registrations:
        raise DuplicateRegistrationError(f"source kind {kind!r} is already registered")
    if accepts is None:
        for other in _registry.registrations.values():
            taken = set(schemes) & set(other.schemes) if other.accepts is None else set()
            if taken:
                raise DuplicateRegistrationError(
                    f"source {kind!r}: scheme {sorted(taken)[0]!r} already belongs to {other.kind!r}"
                )
    _registry.registrations[kind] = _Registration(kind, factory, schemes, accepts)


def source_kinds() -> list[str]:
    """Every registered kind, plugins included."""
    _load_plugins()
    return sorted(_registry.registrations)


def open_source(spec: str, options: SourceOptions = _DEFAULT_OPTIONS) -> Source:
    """The source for a `--source` value; UnknownSourceError when no registered kind understands it."""
    _load_plugins()
    return _resolve(spec).factory(spec, options)


def _resolve(spec: str) -> _Registration:
    scheme = spec.split("://", 1)[0].lower() if "://" in spec else PLAIN_PATH
    candidates = [r for r in _registry.registrations.values() if scheme in r.schemes]
    specific = [r for r in candidates if r.accepts is not None and r.accepts(spec)]
    if len(specific) > 1:
        kinds = ", ".join(r.kind for r in specific)
        raise ConfigurationError(f"source {spec!r} is claimed by several kinds: {kinds}")
    catch_all = [r for r in candidates if r.accepts is None]
    chosen = specific or catch_all
    if not chosen:
        raise UnknownSourceError(spec, (r.describe() for r in _registry.registrations.values()))
    return chosen[0]


def _load_plugins() -> None:
    """Import each plugin module once, on first use, so a broken plugin cannot break `import ingest`."""
    if _registry.plugins_scanned:
        return
    load_plugins(
        entry_points(group=ENTRY_POINT_GROUP),
        kind="source",
        loaded=_registry.loaded_plugins,
        registered=lambda name: name in _registry.registrations,
    )
    _registry.plugins_scanned = True
