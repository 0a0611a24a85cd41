"""Every registered format: written by a small test writer, read back by the package, plain and gzipped."""

from __future__ import annotations

import gzip
import io

import pytest

from ingest.formats import MalformedRecord, format_names, read_object
from ingest.sources import SourceObject

FORMATS = format_names()


def _read(data: bytes, key: str, **kwargs) -> list:
    obj = SourceObject(
        uri=f"file:///data/{key}",
        key=key,
        content_type=kwargs.pop("content_type", None),
        content_encoding=kwargs.pop("content_encoding", None),
    )
    return list(read_object(io.BytesIO(data), obj, **kwargs))


def test_the_built_in_formats_are_registered() -> None:
    assert {"json", "jsonl", "csv", "xml", "text"} <= set(FORMATS)


@pytest.mark.parametrize("name", FORMATS)
def test_written_records_read_back_equal(name: str, records, writers) -> None:
    writer = writers[name]
    read = _read(writer.write(records), f"prices{writer.extension}")
    assert [record.value for record in read] == writer.read_back(records)
    assert [record.index for record in read] == list(range(len(records)))
    assert not [record for record in read if isinstance(record, MalformedRecord)]


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("chunk_size", [1, 7, 4096])
def test_chunk_boundaries_do_not_change_the_records(name: str, chunk_size: int, records, writers) -> None:
    writer = writers[name]
    read = _read(writer.write(records[:6]), f"prices{writer.extension}", chunk_size=chunk_size)
    assert [record.value for record in read] == writer.read_back(records[:6])


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize(
    ("key_suffix", "content_encoding"),
    [(".gz", None), ("", "gzip"), ("", None)],
    ids=["gz-suffix", "content-encoding", "magic-bytes-only"],
)
def test_gzip_is_undone_transparently(name: str, key_suffix: str, content_encoding, records, writers) -> None:
    writer = writers[name]
    compressed = gzip.compress(writer.write(records))
    read = _read(compressed, f"prices{writer.extension}{key_suffix}", content_encoding=content_encoding)
    assert [record.value for record in read] == writer.read_back(records)


@pytest.mark.parametrize("name", FORMATS)
def test_a_named_format_overrides_detection(name: str, records, writers) -> None:
    writer = writers[name]
    read = _read(writer.write(records), "export.dat", format_name=name)
    assert [record.value for record in read] == writer.read_back(records)


@pytest.mark.parametrize("name", FORMATS)
def test_readers_stream_instead_of_loading_the_object(name: str, records, writers) -> None:
    """After the first record only a bounded part of a large object has been pulled from the source."""
    writer = writers[name]
    data = writer.write(records * 800)
    stream = io.BytesIO(data)
    chunk_size = 4096
    first = next(
        read_object(stream, SourceObject(uri="file:///big", key=f"big{writer.extension}"), chunk_size=chunk_size)
    )
    assert first.value == writer.read_back(records[:1])[0]
    assert stream.tell() <= 64 * 1024 < len(data) // 10
