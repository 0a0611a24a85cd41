"""The local source: a file or a directory tree, as a plain path or a file:// URI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.errors import ConfigurationError, SourceError
from ingest.sources import SourceUnavailableError, open_source


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "data dir"
    for relative, content in {
        "b.json": b"[2]",
        "a.json": b"[1]",
        "nested/deeper/c.jsonl": b"{}\n",
        "nested/a.csv": b"date\n1\n",
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (root / "empty-folder").mkdir()
    return root


def test_a_directory_is_listed_recursively_in_sorted_order(tree: Path) -> None:
    objects = list(open_source(str(tree)).list_objects())
    assert [obj.key for obj in objects] == ["a.json", "b.json", "nested/a.csv", "nested/deeper/c.jsonl"]
    assert [obj.uri for obj in objects] == [(tree / obj.key).as_uri() for obj in objects]


def test_objects_carry_size_and_mtime_ns(tree: Path) -> None:
    obj = next(open_source(str(tree)).list_objects())
    stat = (tree / "a.json").stat()
    assert (obj.size, obj.version) == (stat.st_size, str(stat.st_mtime_ns))
    os.utime(tree / "a.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert next(open_source(str(tree)).list_objects()).version != obj.version


def test_a_single_file_by_file_uri(tree: Path) -> None:
    source = open_source((tree / "nested" / "a.csv").as_uri())
    [obj] = source.list_objects()
    assert obj.key == "a.csv"
    with source.open(obj) as stream:
        assert stream.read() == b"date\n1\n"


def test_a_relative_path_becomes_an_absolute_uri(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree.parent)
    source = open_source("data dir")
    assert source.uri == tree.resolve().as_uri()
    assert next(source.list_objects()).uri.startswith("file:///")


def test_open_returns_the_bytes_as_stored(tree: Path) -> None:
    source = open_source(str(tree))
    contents = {}
    for obj in source.list_objects():
        with source.open(obj) as stream:
            contents[obj.key] = stream.read()
    assert contents["nested/deeper/c.jsonl"] == b"{}\n"
    assert contents["b.json"] == b"[2]"


def test_a_missing_path_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailableError, match="no such file or directory") as caught:
        open_source(str(tmp_path / "missing"))
    assert isinstance(caught.value, ConfigurationError)


def test_a_file_removed_after_listing_is_a_source_error(tree: Path) -> None:
    source = open_source(str(tree))
    obj = next(source.list_objects())
    (tree / obj.key).unlink()
    with pytest.raises(SourceError, match="cannot read"), source.open(obj):
        pass


def test_a_remote_file_uri_is_refused() -> None:
    with pytest.raises(SourceUnavailableError, match="remote host"):
        open_source("file://server/share/data.json")
