"""Which reader decodes an object: an explicit registry by name, extension and content type.

Each format module registers itself once at import; the built-in modules are imported on the first lookup
(`ingest.plugins.Registry`). Plugins from other distributions are modules listed under the entry-point group
`tracking_pipeline.formats` (entry-point name = format name); they are imported on first lookup too, and importing
one performs its `register_format(...)` call exactly like a built-in module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from ingest.errors import DuplicateRegistrationError, UnknownFormatError
from ingest.formats.base import FormatReader, StoredObject
from ingest.plugins import Registry

ENTRY_POINT_GROUP = "tracking_pipeline.formats"
BUILT_IN_MODULES = (
    "ingest.formats.json_array",
    "ingest.formats.jsonl",
    "ingest.formats.text",
    "ingest.formats.csv_format",
    "ingest.formats.xml_format",
)
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


@dataclass(frozen=True)
class _Format:
    reader: FormatReader
    extensions: tuple[str, ...]
    content_types: tuple[str, ...]


_registry: Registry[_Format] = Registry("format", group=ENTRY_POINT_GROUP, built_in=BUILT_IN_MODULES)


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
    extensions = tuple(_normal_extension(extension) for extension in extensions)
    content_types = tuple(_normal_content_type(content_type) for content_type in content_types)
    _registry.check_free(name)
    for extension in extensions:
        if extension == _COMPRESSION_SUFFIX:
            raise ValueError(f"{_COMPRESSION_SUFFIX} marks compression, not a format")
        if owner := _owner(extension, lambda entry: entry.extensions):
            raise DuplicateRegistrationError(f"format {name!r}: extension {extension} belongs to {owner!r}")
    for content_type in content_types:
        if owner := _owner(content_type, lambda entry: entry.content_types):
            raise DuplicateRegistrationError(f"format {name!r}: content type {content_type} belongs to {owner!r}")
    _registry.add(name, _Format(reader, extensions, content_types))


def get_format(name: str) -> FormatReader:
    """The reader registered as `name`; UnknownFormatError lists the valid names."""
    registered = _registry.entries()
    if name not in registered:
        raise UnknownFormatError(name, registered)
    return registered[name].reader


def format_names() -> list[str]:
    return sorted(_registry.entries())


def detect_format(obj: StoredObject) -> str:
    """The format name for an object: by extension (a trailing .gz ignored), then by content type."""
    if name := _owner(extension_of(obj.key), lambda entry: entry.extensions):
        return name
    if obj.content_type and (name := _owner(_normal_content_type(obj.content_type), lambda e: e.content_types)):
        return name
    raise UndetectableFormatError(obj, _registry.entries())


def extension_of(key: str) -> str:
    """`data/2018.json.gz` -> `.json`: the extension that names the format, lower-cased."""
    name = PurePosixPath(key).name.lower()
    name = name.removesuffix(_COMPRESSION_SUFFIX)
    return PurePosixPath(name).suffix


def _owner(value: str, claims: Callable[[_Format], tuple[str, ...]]) -> str | None:
    """The format whose extensions (or content types) include `value`, built-ins and plugins loaded first."""
    return next((name for name, entry in _registry.entries().items() if value in claims(entry)), None)


def _normal_extension(extension: str) -> str:
    extension = extension.strip().lower()
    return extension if extension.startswith(".") else f".{extension}"


def _normal_content_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()
