"""The ingest error hierarchy.

Callers decide what to do by type, never by message: retry code checks `RetryableError`, the CLI maps
`ConfigurationError` to exit status 2, and per-object / per-record errors become dead-letter lines. Each
specific error also inherits the builtin it resembles so generic handlers keep working.
"""

from __future__ import annotations

from collections.abc import Iterable


class IngestError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigurationError(IngestError):
    """The run cannot start as asked (bad flag, unknown stream, unreadable source): exit status 2."""


class RetryableError(IngestError):
    """A transient failure: the same call may succeed later."""


class TerminalError(IngestError):
    """A failure that retrying will not fix."""


class _UnknownNameError(ConfigurationError, ValueError):
    kind = "name"

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown {self.kind} {name!r}; known: {', '.join(self.known) or '(none)'}")


class UnknownSourceError(_UnknownNameError):
    """No registered source understands the given `--source` value."""

    kind = "source"


class UnknownFormatError(_UnknownNameError):
    """No registered format has this name, or none matches an object's extension/content type."""

    kind = "format"


class DuplicateRegistrationError(IngestError, ValueError):
    """A plugin tried to register a name that is already taken; silently replacing it would hide a bug."""


class SourceError(IngestError, OSError):
    """Listing or reading a source failed (after the transport's own retries)."""


class FormatError(IngestError, ValueError):
    """An object cannot be decoded any further (malformed file, not UTF-8, decompression bomb, ...).

    Records the reader yielded before raising stand; the rest of the object is rejected as a whole.
    """


class RecordValidationError(IngestError, ValueError):
    """One record breaks the data dictionary; names the field and the offending value."""

    def __init__(self, field: str | None, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        where = f"field {field!r}" if field else "record"
        super().__init__(f"{where}: {reason} (got {value!r:.80})")
