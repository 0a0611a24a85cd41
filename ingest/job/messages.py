"""The one message the planner sends per object: which version of which object, for which run."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from ingest.errors import IngestError


class BadMessageError(IngestError, ValueError):
    """A message body that is not a work item: nothing can be done with it but let it reach the DLQ."""


@dataclass(frozen=True)
class WorkItem:
    object_uri: str
    version: str
    """"<etag>:<size>" as listed: what the ledger compares, so a changed object is a new version."""
    run_id: str
    size: int

    @property
    def etag(self) -> str:
        """The ETag half of the version: what a read of exactly this version is conditional on."""
        return self.version.rpartition(":")[0]

    def to_body(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_body(cls, body: str) -> WorkItem:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise BadMessageError(f"message body is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise BadMessageError("message body is not a JSON object")
        fields = {"object_uri": str, "version": str, "run_id": str, "size": int}
        for name, kind in fields.items():
            value = data.get(name)
            if not isinstance(value, kind) or isinstance(value, bool) or value == "":
                raise BadMessageError(f"message field {name!r} must be a non-empty {kind.__name__}, got {value!r}")
        if not data["object_uri"].startswith("s3://"):
            raise BadMessageError(f"message field 'object_uri' must be an s3:// URI, got {data['object_uri']!r}")
        return cls(**{name: data[name] for name in fields})


def object_version(etag: str | None, size: int | None) -> str:
    """ETag alone misses nothing S3 rewrites, but multipart ETags depend on the part size: the size goes in too."""
    return f"{etag or ''}:{size if size is not None else ''}"


def version_size(version: str) -> int:
    """The size half of "<etag>:<size>" (0 when the listing gave none)."""
    size = version.rpartition(":")[2]
    return int(size) if size.isdigit() else 0
