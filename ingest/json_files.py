"""JSON state files written so that a crash or SIGKILL leaves the old file or the new one, never half, and read
back with one-line errors."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ingest.errors import ConfigurationError


def read_json(path: Path, *, what: str) -> Any:
    """The parsed document; a missing, unreadable or non-JSON file is a configuration error naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigurationError(f"{path} is not JSON ({exc}): not a {what}") from None


def write_json_atomically(path: Path, document: object, *, indent: int | None = None) -> None:
    """Write to a temporary file in the same directory, fsync it, then `os.replace` it over `path`."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=indent, allow_nan=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
