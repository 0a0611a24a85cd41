"""Fix: a truncated or corrupt gzip object hands over every intact record before the damage.

Decompressed bytes used to pass through buffered readers that fill a whole request: when the damage was found
part-way through one, the bytes already decompressed in that request were dropped with the error (about
two thirds of a half-uploaded JSON Lines object). Now the error comes with the read after them.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib

import pytest

from ingest.errors import FormatError
from ingest.formats import read_object
from ingest.formats.compression import decompressed
from ingest.sources.base import SourceObject


def _cut_after(lines: list[bytes], count: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    return compressor.compress(b"".join(lines[:count])) + compressor.flush(zlib.Z_FULL_FLUSH)


@pytest.mark.parametrize(("name", "render"), [("a.jsonl.gz", "jsonl"), ("a.json.gz", "array"), ("a.csv.gz", "csv")])
def test_every_intact_record_before_the_cut_is_read_at_the_default_chunk_size(name, render):
    records = [{"n": n, "text": "x" * 150} for n in range(3000)]
    if render == "jsonl":
        lines = [json.dumps(record).encode() + b"\n" for record in records]
    elif render == "array":
        lines = [b"[\n"] + [json.dumps(record).encode() + b",\n" for record in records]
    else:
        lines = [b"n,text\n"] + [f"{record['n']},{record['text']}\n".encode() for record in records]
    intact = 2000 + (len(lines) - len(records))
    read = []
    with pytest.raises(FormatError, match="corrupt gzip data"):
        read.extend(read_object(io.BytesIO(_cut_after(lines, intact)), SourceObject(uri="x", key=name)))
    assert len(read) == 2000


def test_reading_all_returns_what_was_intact_then_the_next_read_raises():
    data = _cut_after([b"%d\n" % n for n in range(50_000)], 40_000)
    stream = decompressed(io.BytesIO(data), SourceObject(uri="x", key="a.txt.gz"))

    assert stream.read() == b"".join(b"%d\n" % n for n in range(40_000))
    with pytest.raises(FormatError, match="corrupt gzip data"):
        stream.read(10)


def test_an_intact_object_reads_to_the_end():
    data = gzip.compress(b"".join(b"%d\n" % n for n in range(100_000)))
    stream = decompressed(io.BytesIO(data), SourceObject(uri="x", key="a.txt.gz"))
    assert stream.read().count(b"\n") == 100_000
