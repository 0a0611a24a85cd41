"""Stage layer of `ingest`, the source (beside formats, records, publishing, sample): where records come from.

S3 (s3:// or an S3 HTTPS URL), a single HTTP(S) file, or a local path; more through plugins.

`open_source(spec)` picks the registered kind that understands the spec. Each built-in kind lives in its own
module and registers itself when the registry first needs it (`ingest.sources.registry`), so importing this
package loads neither boto3 nor requests.
"""

from ingest.sources.base import ResumableListing, Source, SourceObject
from ingest.sources.errors import SourceUnavailableError
from ingest.sources.options import DEFAULT_SOURCE, SourceOptions
from ingest.sources.registry import (
    ENTRY_POINT_GROUP,
    SourceFactory,
    list_objects_after,
    open_source,
    register_source,
    source_kinds,
)

__all__ = [
    "DEFAULT_SOURCE",
    "ENTRY_POINT_GROUP",
    "ResumableListing",
    "Source",
    "SourceFactory",
    "SourceObject",
    "SourceOptions",
    "SourceUnavailableError",
    "list_objects_after",
    "open_source",
    "register_source",
    "source_kinds",
]
