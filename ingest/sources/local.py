"""A local file or a directory tree, as a plain path or a `file://` URI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from ingest.errors import SourceError
from ingest.sources.base import SourceObject
from ingest.sources.byte_streams import guarded_stream
from ingest.sources.errors import SourceUnavailableError
from ingest.sources.options import SourceOptions
from ingest.sources.registry import PLAIN_PATH, register_source


class LocalSource:
    """Every regular file under `root` (or `root` itself), sorted by relative path; version = mtime in ns."""

    def __init__(self, root: Path) -> None:
        self._root = root.expanduser().resolve()
        if not self._root.exists():
            raise SourceUnavailableError(f"no such file or directory: {self._root}")

    @property
    def uri(self) -> str:
        return self._root.as_uri()

    def list_objects(self) -> Iterator[SourceObject]:
        if self._root.is_file():
            yield self._object(self._root, self._root.name)
            return
        try:
            files = sorted(
                (path.relative_to(self._root).as_posix(), path) for path in self._root.rglob("*") if path.is_file()
            )
        except OSError as exc:
            raise SourceError(f"cannot list {self._root}: {exc}") from exc
        for key, path in files:
            yield self._object(path, key)

    @contextmanager
    def open(self, obj: SourceObject) -> Iterator[BinaryIO]:
        path = Path(unquote(urlsplit(obj.uri).path))
        try:
            file = path.open("rb")
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc}") from exc
        with file:
            yield guarded_stream(file, obj.uri, (OSError,))

    def _object(self, path: Path, key: str) -> SourceObject:
        try:
            stat = path.stat()
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc}") from exc
        return SourceObject(uri=path.as_uri(), key=key, size=stat.st_size, version=str(stat.st_mtime_ns))


def _from_path(spec: str, options: SourceOptions) -> LocalSource:
    if spec.lower().startswith("file://"):
        parts = urlsplit(spec)
        if parts.netloc not in ("", "localhost"):
            raise SourceUnavailableError(f"file URI names a remote host, which is not supported: {spec!r}")
        return LocalSource(Path(unquote(parts.path)))
    return LocalSource(Path(spec))


register_source("local", _from_path, schemes=("file", PLAIN_PATH))
