"""The dead-letter file: one JSON line per record or object a run could not publish, with the reason.

Lines are appended and flushed one by one, so a run killed half-way keeps every line it wrote, and a
restarted run adds to the same file (each line carries its `run_id`). Only data goes in: the raw value
as read from the source, bounded in size, and error reasons; never request parameters or credentials.
"""

from __future__ import annotations

import json
import reprlib
from pathlib import Path
from types import TracebackType
from typing import IO

from ingest.errors import ConfigurationError
from ingest.record_reading import Stage

RAW_LIMIT = 4096
"""Characters of a raw value kept per line: enough to see what was wrong, bounded whatever the input."""

_REPR = reprlib.Repr()
_REPR.maxlevel = 4
_REPR.maxstring = RAW_LIMIT


def bounded_raw(value: object, limit: int = RAW_LIMIT) -> tuple[object, bool]:
    """A JSON-safe rendering of `value` no longer than `limit` characters, and whether it was truncated.

    Small JSON values are kept as they are (a rejected record stays an object, handy for replay); anything
    else becomes text: bytes decoded with escapes, NaN/Infinity or odd types rendered, then truncated.
    """
    if isinstance(value, bytes | bytearray):
        value = bytes(value[: limit * 4]).decode("utf-8", "backslashreplace")
    if isinstance(value, str):
        return value[:limit], len(value) > limit
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = _as_text(value)
    else:
        if len(text) <= limit:
            return value, False
    return text[:limit], len(text) > limit


def _as_text(value: object) -> str:
    """JSON-like text even for NaN or odd types; a bounded repr for what JSON cannot nest (deep structures)."""
    try:
        return json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        return _REPR.repr(value)


class DeadLetterWriter:
    """Appends dead-letter lines to `path`.

    With `create=True` the file is opened at once, so an unwritable path stops the run before it reads
    anything; with `create=False` it is created on the first line only (a default path stays absent when
    nothing is rejected).
    """

    def __init__(self, path: Path, run_id: str, *, create: bool = True) -> None:
        self.path = path
        self.run_id = run_id
        self.lines = 0
        self._file: IO[str] | None = None
        if create:
            try:
                self._open()
            except OSError as exc:
                raise ConfigurationError(f"cannot write dead-letter file {path}: {exc.strerror or exc}") from None

    @property
    def opened(self) -> bool:
        """Whether the file exists because of this writer (it may hold no line)."""
        return self._file is not None

    def _open(self) -> IO[str]:
        self._file = open(self.path, "a", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in close()
        return self._file

    def write(
        self,
        *,
        uri: str,
        stage: Stage,
        reason: str,
        position: str | None = None,
        index: int | None = None,
        field: str | None = None,
        error_code: str | None = None,
        raw: object = None,
    ) -> None:
        raw_value, truncated = bounded_raw(raw)
        line = {
            "run_id": self.run_id,
            "uri": uri,
            "stage": str(stage),
            "position": position,
            "index": index,
            "field": field,
            "error_code": error_code,
            "reason": reason,
            "raw": raw_value,
            "raw_truncated": truncated,
        }
        handle = self._file or self._open()
        handle.write(json.dumps(line, ensure_ascii=True, allow_nan=False) + "\n")
        handle.flush()
        self.lines += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> DeadLetterWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
