"""Which reader decodes an object: an explicit registry by name, extension and content type.

Each format module registers itself once at import. Plugins from other distributions are modules listed
under the entry-point group `tracking_pipeline.formats` (entry-point name = format name); they are imported on
first lookup, and importing one performs its `register_format(...)` call exactly like a built-in module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import PurePosixPath

from ingest.errors import DuplicateRegistrationError, UnknownFormatError
from ingest.formats.base import FormatReader, StoredObject
from ingest.plugins import load_plugins

ENTRY_POINT_GROUP = "tracking_pipeline.formats"
AUTO = "auto"
"""Not a format: asks `read_object` to detect one."""
_COMPRESSION_SUFFIX = ".gz"


class UndetectableFormatError(UnknownFormatError):
    """Neither the object's extension nor its content type belongs to a registered format."""

    def __init__(self, obj: StoredObject, known: Iterable[str]) -> None:
        super().__init__(obj.key, known)
        self.uri = obj.uri
        self.args = (
            f"cannot tell the format of {obj.uri} (extension {extension_of(obj.key) or 'none'}, content type "
            f"{obj.content_type or 'none'}); choose one with --format: {', '.join(self.known)}",
        )


@dataclass
class _FormatRegistry:
    readers: dict[str, FormatReader] = field(default_factory=dict)
    by_extension: dict[str, str] = field(default_factory=dict)
    by_content_type: dict[str, str] = field(default_factory=dict)
    loaded_plugins: set[str] = field(default_factory=set)
    plugins_scanned: bool = False
    """Entry points are read once per registry: scanning installed distributions costs more than a lookup."""


_registry = _FormatRegistry()


def register_format(
    name: str,
    reader: FormatReader,
    *,
    extensions: Iterable[str] = (),
    content_types: Iterable[str] = (),
) -> None:
    """Add a reader under `name`, detected by `extensions` (".csv") and `content_types` ("text/csv").

    A name, extension or content type that is already taken is rejected: silently replacing a reader would
    change how existing objects are decoded.
    """
    if name == AUTO:
        raise ValueError(f"{AUTO!r} is reserved for format detection")
    extensions = [_normal_extension(extension) for extension in extensions]
    content_types = [_normal_content_type(content_type) for content_type in content_types]
    if name in _registry.readers:
        raise DuplicateRegistrationError(f"format {name!r} is already registered")
    for extension in extensions:
        if extension == _COMPRESSION_SUFFIX:
            raise ValueError(f"{_COMPRESSION_SUFFIX} marks compression, not a format")
        if owner := _registry.by_extension.get(extension):
            raise DuplicateRegistrationError(f"format {name!r}: extension {extension} belongs to {owner!r}")
    for content_type in content_types:
        if owner := _registry.by_content_type.get(content_type):
            raise DuplicateRegistrationError(f"format {name!r}: content type {content_type} belongs to {owner!r}")
    _registry.readers[name] = reader
    _registry.by_extension.update(dict.fromkeys(extensions, name))
    _registry.by_content_type.update(dict.fromkeys(content_types, name))


def get_format(name: str) -> FormatReader:
    """The reader registered as `name`; UnknownFormatError lists the valid names."""
    _load_plugins()
    try:
        return _registry.readers[name]
    except KeyError:
        raise UnknownFormatError(name, _registry.readers) from None


def format_names() -> list[str]:
    _load_plugins()
    return sorted(_registry.readers)


def detect_format(obj: StoredObject) -> str:
    """The format name for an object: by extension (a trailing .gz ignored), then by content type."""
    _load_plugins()
    extension = extension_of(obj.key)
    if name := _registry.by_extension.get(extension):
        return name
    if obj.content_type and (name := _registry.by_content_type.get(_normal_content_type(obj.content_type))):
        return name
    raise UndetectableFormatError(obj, _registry.readers)


def extension_of(key: str) -> str:
    """`data/2018.json.gz` -> `.json`: the extension that names the format, lower-cased."""
    name = PurePosixPath(key).name.lower()
    name = name.removesuffix(_COMPRESSION_SUFFIX)
    return PurePosixPath(name).suffix


def _normal_extension(extension: str) -> str:
    extension = extension.strip().lower()
    return extension if extension.startswith(".") else f".{extension}"


def _normal_content_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _load_plugins() -> None:
    """Import each plugin module once, on first use, so a broken plugin cannot break `import ingest`."""
    if _registry.plugins_scanned:
        return
    load_plugins(
        entry_points(group=ENTRY_POINT_GROUP),
        kind="format",
        loaded=_registry.loaded_plugins,
        registered=lambda name: name in _registry.readers,
    )
    _registry.plugins_scanned = True
