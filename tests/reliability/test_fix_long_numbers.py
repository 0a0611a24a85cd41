"""Fix: integers too long for Python no longer crash `publish` (a traceback from JSON Lines, SIGSEGV from ijson's
C backend when such an integer straddles its read buffer in a JSON array)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.errors import FormatError
from ingest.formats import MalformedRecord, RawRecord
from ingest.formats.json_array import read_json_array
from ingest.formats.jsonl import read_json_lines
from ingest.formats.limits import MAX_NUMBER_DIGITS
from reliability.generated import long_integer_across_buffers

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("chunk_size", [1, 7, 4096, 65536])
def test_a_run_of_too_many_digits_rejects_the_rest_of_the_array_after_the_records_before(chunk_size):
    data = b'[{"a": 1}, {"a": 1' + b"0" * MAX_NUMBER_DIGITS + b'}, {"a": 3}]'
    read = []
    with pytest.raises(FormatError, match=rf"more than {MAX_NUMBER_DIGITS} digits in a row from byte 18"):
        read.extend(read_json_array(io.BytesIO(data), chunk_size=chunk_size))
    assert [record.value for record in read] == [{"a": 1}]


@pytest.mark.parametrize("chunk_size", [1, 7, 65536])
def test_numbers_up_to_the_limit_are_read(chunk_size):
    digits = "1" + "0" * (MAX_NUMBER_DIGITS - 1)
    data = f'[{{"a": {digits}}}, {{"b": "{digits}{digits}"}}]'.encode()
    with pytest.raises(FormatError):  # the string holds a run of twice the limit: refused too, by design
        list(read_json_array(io.BytesIO(data), chunk_size=chunk_size))
    [record] = read_json_array(io.BytesIO(data[: data.index(b", {")] + b"]"), chunk_size=chunk_size)
    assert isinstance(record, RawRecord) and record.value == {"a": int(digits)}


def test_an_integer_straddling_the_parser_buffer_no_longer_kills_the_process(tmp_path):
    """Run in a child: before the fix this died with SIGSEGV, which would take the test run down with it."""
    path = tmp_path / "long.json"
    long_integer_across_buffers(path)
    code = (
        "import sys; from ingest.formats.json_array import read_json_array\n"
        "read = []\n"
        "try:\n"
        f"    read.extend(read_json_array(open({str(path)!r}, 'rb')))\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, len(read))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPOSITORY, capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "FormatError 1")


def test_a_json_line_with_an_integer_too_long_for_python_is_rejected_alone():
    data = b'{"a": 1}\n{"a": 1' + b"0" * 5000 + b'}\n{"a": 3}\n'
    records = list(read_json_lines(io.BytesIO(data)))
    assert [type(record) for record in records] == [RawRecord, MalformedRecord, RawRecord]
    assert "Exceeds the limit (4300 digits)" in records[1].reason
