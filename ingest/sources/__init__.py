"""Where records come from: S3 (s3:// or an S3 HTTPS URL), a single HTTP(S) file, or a local path.

`open_source(spec)` picks the registered kind that understands the spec. Each built-in kind lives in its own
module and registers itself on import; importing this package imports them all.
"""

from ingest.sources import http, local, s3  # noqa: F401  (imported for their registrations)
from ingest.sources.base import Source, SourceObject
from ingest.sources.errors import SourceUnavailableError
from ingest.sources.options import DEFAULT_SOURCE, SourceOptions
from ingest.sources.registry import (
    ENTRY_POINT_GROUP,
    SourceFactory,
    open_source,
    register_source,
    source_kinds,
)

__all__ = [
    "DEFAULT_SOURCE",
    "ENTRY_POINT_GROUP",
    "Source",
    "SourceFactory",
    "SourceObject",
    "SourceOptions",
    "SourceUnavailableError",
    "open_source",
    "register_source",
    "source_kinds",
]
