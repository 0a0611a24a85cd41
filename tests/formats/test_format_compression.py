"""gzip: bounded decompression, contradicted declarations, corrupt data."""

from __future__ import annotations

import gzip
import io
import re
import zlib

import pytest

from ingest.errors import FormatError
from ingest.formats import DEFAULT_LIMITS, DecompressionLimits, read_object
from ingest.formats.compression import decompressed
from ingest.sources import SourceObject


def _object(key: str, content_encoding: str | None = None) -> SourceObject:
    return SourceObject(uri=f"s3://bucket/{key}", key=key, content_encoding=content_encoding)


def _bomb(expanded_size: int) -> bytes:
    """A JSON array of whitespace: valid as far as it goes, so only the limit can stop it."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1024 * 1024)
    parts = [compressor.compress(b"[")]
    parts += [compressor.compress(block) for _ in range(expanded_size // len(block))]
    return b"".join([*parts, compressor.compress(b"]"), compressor.flush()])


def test_a_gzip_bomb_is_refused_by_the_default_ratio_limit() -> None:
    bomb = _bomb(64 * 1024 * 1024)
    assert len(bomb) < 100_000
    with pytest.raises(FormatError, match=r"gzip bomb refused: \d+ compressed bytes expand to more than") as caught:
        list(read_object(io.BytesIO(bomb), _object("bomb.json.gz")))
    expanded = int(re.search(r"more than (\d+)", str(caught.value)).group(1))
    assert expanded < DEFAULT_LIMITS.ratio_applies_after + 1024 * 1024


def test_the_total_size_limit_applies_even_at_a_modest_ratio() -> None:
    data = gzip.compress(b"[" + b"1," * 50_000 + b"1]")
    limits = DecompressionLimits(max_bytes=10_000)
    with pytest.raises(FormatError, match="decompresses to more than 10000 bytes"):
        decompressed(io.BytesIO(data), _object("a.json.gz"), limits=limits).read()


def test_data_within_the_limits_is_untouched() -> None:
    data = b"[" + b"1," * 50_000 + b"1]"
    limits = DecompressionLimits(max_bytes=len(data), ratio_applies_after=0, max_ratio=1000)
    assert decompressed(io.BytesIO(gzip.compress(data)), _object("a.json.gz"), limits=limits).read() == data


def test_a_declared_gzip_that_is_not_gzip_is_an_error() -> None:
    with pytest.raises(FormatError, match="declared gzip .* but does not start like gzip data"):
        read_object(io.BytesIO(b'[{"a": 1}]'), _object("a.json.gz"))
    with pytest.raises(FormatError, match="declared gzip"):
        read_object(io.BytesIO(b'[{"a": 1}]'), _object("a.json", content_encoding="gzip"))


def test_an_unsupported_content_encoding_is_an_error() -> None:
    with pytest.raises(FormatError, match="unsupported content encoding 'br'"):
        read_object(io.BytesIO(b"[]"), _object("a.json", content_encoding="br"))


def test_truncated_gzip_keeps_the_records_before_the_cut() -> None:
    data = gzip.compress("".join(f'{{"n": {n}}}\n' for n in range(2000)).encode())
    read = []
    with pytest.raises(FormatError, match="corrupt gzip data after \\d+ decompressed bytes"):
        read.extend(read_object(io.BytesIO(data[: len(data) // 2]), _object("a.jsonl.gz"), chunk_size=256))
    assert read
    assert [record.value for record in read] == [{"n": n} for n in range(len(read))]


def test_corrupt_gzip_is_a_format_error() -> None:
    data = bytearray(gzip.compress(b'{"n": 1}\n' * 100))
    data[20:30] = b"\x00" * 10
    with pytest.raises(FormatError, match="corrupt gzip data"):
        list(read_object(io.BytesIO(bytes(data)), _object("a.jsonl.gz")))
