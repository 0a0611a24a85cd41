"""Source errors that need more than the shared hierarchy in `ingest.errors` offers."""

from __future__ import annotations

from ingest.errors import ConfigurationError, SourceError


class SourceUnavailableError(ConfigurationError, SourceError):
    """The source can never be read as configured (no such bucket or file, access denied, no credentials).

    It is a `ConfigurationError` because retrying or moving on to the next object cannot help: the run should
    stop with exit status 2. It is also a `SourceError` so code that handles every source failure still does.
    """
