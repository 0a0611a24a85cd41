"""A JSON array of records (`.json`), streamed with ijson: only the element being decoded is in memory.

Choices, each with a test:
- Numbers: ijson returns integers as `int` and other numbers exactly (Decimal); they become `float` here.
  `use_float=True` would let yajl parse doubles itself, but it then stops the whole object at a value such as
  `1e400`; converted afterwards it becomes `inf`, which validation rejects for that record alone, by field.
- `NaN` / `Infinity` are not JSON and yajl cannot step over them: the records before are yielded, then a
  FormatError names the record where decoding stopped.
- Duplicate keys: the record becomes a MalformedRecord ("duplicate key 'high'"), since neither value is more
  right than the other.
- Nesting deeper than MAX_NESTING or an element larger than MAX_RECORD_BYTES: a MalformedRecord; the element
  is skipped without being built and the next records are read.
- A run of more than MAX_NUMBER_DIGITS digits: the rest of the object is rejected before ijson reads it (an
  integer that long crashes ijson's C backend, see `ingest.formats.limits`), with the records before standing.

Speed: building each record from ijson's events costs ~12 us per record, most of the client's time. So a clean
stretch of the array (flat objects, ASCII, no escapes, no duplicate keys, no long digit runs: what every seed file
holds) is decoded by msgspec in one call per chunk (`_CleanPrefix`), which yields exactly what ijson would. At the
first stretch that is not plainly clean, the rest of the object goes to ijson, which then decides everything, with
the same messages, record numbers and byte offsets as if it had read the object from the start.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO, cast

import ijson
import msgspec

from ingest.errors import FormatError
from ingest.formats.base import DEFAULT_CHUNK_SIZE, MalformedRecord, RawRecord
from ingest.formats.byte_reading import replay, utf8_body
from ingest.formats.limits import MAX_NESTING, MAX_NUMBER_DIGITS, MAX_RECORD_BYTES, preview
from ingest.formats.registry import register_format

_OPENERS = frozenset({"start_map", "start_array"})
_CLOSERS = frozenset({"end_map", "end_array"})
_FOUND = {"start_map": "an object", "string": "a string", "number": "a number", "boolean": "a boolean"}
_DIGITS = b"0123456789"
_LONG_DIGIT_RUN = re.compile(rb"[0-9]{%d,}" % (MAX_NUMBER_DIGITS + 1))
Events = Iterator[tuple[str, Any]]
_JSON_WHITESPACE = b" \t\n\r"
_DIGITS_TO_MARK = bytes.maketrans(_DIGITS, b"0" * len(_DIGITS))
_DECODE = msgspec.json.Decoder().decode
_RESUME_PREFIX = b"[0"
"""What ijson is given before the unread rest when it takes over after a clean stretch: an array that already
holds one element (a stand-in, skipped), so the rest is parsed in the state the real array was in."""


def read_json_array(stream: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawRecord | MalformedRecord]:
    body = utf8_body(stream)
    prefix = _CleanPrefix(body, chunk_size)
    yield from prefix.records()
    if prefix.records_read:
        rest = replay(_RESUME_PREFIX + prefix.unread, body)
        yield from _read_events(rest, chunk_size, resumed_after=prefix.records_read, offset=prefix.resume_offset)
    else:
        yield from _read_events(replay(prefix.unread, body), chunk_size)


def _read_events(
    stream: BinaryIO, chunk_size: int, *, resumed_after: int = 0, offset: int = 0
) -> Iterator[RawRecord | MalformedRecord]:
    """ijson's reading of the array. With `resumed_after` records already read, `stream` is the unread rest
    behind `_RESUME_PREFIX`, and `offset` is where the rest starts in the object."""
    body = _CountingReader(stream, offset - len(_RESUME_PREFIX) if resumed_after else 0)
    events: Events = ijson.basic_parse(body, buf_size=chunk_size)
    try:
        event, _ = next(events)
    except ijson.JSONError as exc:
        detail = _first_line(exc)
        raise FormatError(
            "empty: expected a JSON array" if "premature EOF" in detail else f"not JSON: {detail}"
        ) from exc
    if event != "start_array":
        raise FormatError(f"expected a JSON array at the top level, found {_FOUND.get(event, 'null')}")
    index, inside, stand_in = resumed_after - 1 if resumed_after else 0, False, resumed_after > 0
    try:
        for event, value in events:
            if event == "end_array":
                continue
            inside = True
            record = _record(index, event, value, events, body)
            inside = False
            if stand_in:
                stand_in = False
            else:
                yield record
            index += 1
    except ijson.JSONError as exc:
        raise FormatError(_describe(_first_line(exc), index, inside)) from exc


class _CleanPrefix:
    """Reads the array's elements with msgspec for as long as they are plainly clean, then stops.

    A stretch is taken only when every check below holds, each one ruling out a case where ijson (and so this
    reader's contract) would decide differently than msgspec's plain decoding:
    - it ends with a `}` followed by a comma, so the element after it is not the array's last (the end of the
      array, and whatever follows it, is left to ijson);
    - ASCII only, no backslash, no brackets: strings are plain, and no element nests;
    - no run of more than MAX_NUMBER_DIGITS digits (refused before parsing, see `ingest.formats.limits`);
    - at most MAX_RECORD_BYTES minus one read per stretch, so no element in it could be over the size limit;
    - msgspec decodes it as that many objects, with no duplicate key: each key and each string value brings two
      quotes, and a duplicate key would bring more quotes than the decoded objects account for.
    msgspec rounds floats correctly and keeps integers exact, as ijson does, and rejects what is not JSON.
    """

    def __init__(self, body: BinaryIO, chunk_size: int) -> None:
        self._body = body
        self._chunk_size = chunk_size
        self._buffer = b""
        self._eof = False
        self._start = 0
        """Where the next element starts in `_buffer` (after `[` or after a comma)."""
        self._resume = 0
        """Where ijson resumes in `_buffer`: just after the last element taken, before its comma."""
        self._consumed = 0
        """Bytes of the object dropped from the front of `_buffer`."""
        self.records_read = 0

    @property
    def unread(self) -> bytes:
        return self._buffer[self._resume :] if self.records_read else self._buffer

    @property
    def resume_offset(self) -> int:
        return self._consumed + self._resume

    def records(self) -> Iterator[RawRecord]:
        if not self._open_array():
            return
        while (window := self._window()) > 0:
            cut = self._cut(window)
            if cut is None:
                if self._eof or len(self._buffer) - self._start > window or not self._read():
                    return
                continue
            stretch = self._buffer[self._start : cut + 1]
            values = _clean_objects(stretch)
            if values is None:
                return
            index = self.records_read
            for value in values:
                yield RawRecord(index, f"record {index + 1}", value)
                index += 1
            self.records_read = index
            self._resume = cut + 1
            self._start = self._buffer.index(b",", self._resume) + 1
            self._drop_read()

    def _window(self) -> int:
        """The longest stretch taken at once (see the class docs; the module's limit can be changed by tests)."""
        return min(4 * self._chunk_size, MAX_RECORD_BYTES - self._chunk_size)

    def _open_array(self) -> bool:
        while not (stripped := self._buffer.lstrip(_JSON_WHITESPACE)):
            if not self._read():
                return False
        if stripped[:1] != b"[":
            return False
        self._start = len(self._buffer) - len(stripped) + 1
        return True

    def _cut(self, window: int) -> int | None:
        """The last `}` within `window` bytes of the start that is followed by a comma, or None."""
        end = min(len(self._buffer), self._start + window)
        for _ in range(3):
            cut = self._buffer.rfind(b"}", self._start, end)
            if cut < 0:
                return None
            after = self._buffer[cut + 1 : cut + 65].lstrip(_JSON_WHITESPACE)
            if after[:1] == b",":
                return cut
            end = cut
        return None

    def _read(self) -> bool:
        data = self._body.read(self._chunk_size)
        if not data:
            self._eof = True
            return False
        self._buffer += data
        return True

    def _drop_read(self) -> None:
        """Forget the bytes before the resume point, so the buffer holds about one window."""
        if self._resume > self._chunk_size:
            self._consumed += self._resume
            self._buffer = self._buffer[self._resume :]
            self._start -= self._resume
            self._resume = 0


# Complexity C (radon) kept on purpose: a chain of cheap guards, each a way the stretch may not be plainly clean;
# in one place they read as the one proof the fast path rests on.
def _clean_objects(stretch: bytes) -> list[dict[str, Any]] | None:
    """The objects of a clean stretch (see `_CleanPrefix`), or None when it is not plainly clean."""
    if not stretch.isascii() or b"\\" in stretch or b"[" in stretch or b"]" in stretch:
        return None
    if b"0" * (MAX_NUMBER_DIGITS + 1) in stretch.translate(_DIGITS_TO_MARK):
        return None
    try:
        values = _DECODE(b"[" + stretch + b"]")
    except (msgspec.DecodeError, RecursionError):
        return None
    if len(values) != stretch.count(b"{") or not all(type(value) is dict for value in values):
        return None
    quotes = stretch.count(b'"')
    keys = sum(map(len, values))
    if quotes != 2 * keys:
        strings = sum(type(item) is str for value in values for item in value.values())
        if quotes != 2 * (keys + strings):
            return None
    return values


def _record(index: int, event: str, value: Any, events: Events, body: _CountingReader) -> RawRecord | MalformedRecord:
    position = f"record {index + 1}"
    if event not in _OPENERS:
        return RawRecord(index, position, _number(value))
    built, problem = _build(event, events, body)
    if problem is None:
        return RawRecord(index, position, built)
    return MalformedRecord(index, position, preview(_render(built)) if built is not None else "", problem)


# Complexity C (radon) kept on purpose: the parser's state machine over ijson's events (open, key, value, close)
# with its two limits; one loop keeps every transition in sight.
def _build(opener: str, events: Events, body: _CountingReader) -> tuple[Any, str | None]:
    """One element from its opening event to its closing one; returns (value, problem)."""
    start = body.count
    stack: list[_Map | _Array] = [_container(opener)]
    duplicate: str | None = None
    for event, value in events:
        if event == "map_key":
            # ijson emits map_key only directly inside an object, so the innermost container is a _Map.
            cast(_Map, stack[-1]).key = value
            continue
        if event in _OPENERS:
            if len(stack) >= MAX_NESTING:
                _skip(events, len(stack) + 1)
                return None, f"nested deeper than {MAX_NESTING} levels"
            stack.append(_container(event))
            continue
        if event in _CLOSERS:
            node = stack.pop()
            if duplicate is None and isinstance(node, _Map):
                duplicate = node.duplicate
            item = node.value()
            if not stack:
                return item, None if duplicate is None else f"duplicate key {duplicate!r}"
        else:
            item = float(value) if type(value) is Decimal else value
        if body.count - start > MAX_RECORD_BYTES:
            _skip(events, len(stack))
            return None, f"larger than {MAX_RECORD_BYTES} bytes"
        stack[-1].add(item)
    raise FormatError("truncated: the data ends inside a record")


def _skip(events: Events, depth: int) -> None:
    """Consume events until `depth` open containers are closed, building nothing."""
    for event, _ in events:
        if event in _OPENERS:
            depth += 1
        elif event in _CLOSERS:
            depth -= 1
            if depth == 0:
                return


def _number(value: Any) -> Any:
    return float(value) if type(value) is Decimal else value


class _Map:
    __slots__ = ("fields", "key", "pairs", "duplicate")

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.key = ""
        self.pairs: list[tuple[str, Any]] | None = None
        self.duplicate: str | None = None

    def add(self, item: Any) -> None:
        if self.pairs is not None:
            self.pairs.append((self.key, item))
        elif self.key in self.fields:
            self.duplicate = self.key
            self.pairs = [*self.fields.items(), (self.key, item)]
        else:
            self.fields[self.key] = item

    def value(self) -> Any:
        return self.fields if self.pairs is None else _Pairs(self.pairs)


class _Array:
    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[Any] = []

    def add(self, item: Any) -> None:
        self.items.append(item)

    def value(self) -> Any:
        return self.items


class _Pairs(list[tuple[str, Any]]):
    """An object with duplicate keys, kept as its key/value pairs so the dead-letter file shows both."""


def _container(opener: str) -> _Map | _Array:
    return _Map() if opener == "start_map" else _Array()


def _render(value: Any) -> str:
    """JSON text of a built value, duplicate keys included (json.dumps cannot write them)."""
    if isinstance(value, _Pairs):
        return "{" + ", ".join(f"{json.dumps(key)}: {_render(item)}" for key, item in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)}: {_render(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(item) for item in value) + "]"
    return json.dumps(value)


class _CountingReader:
    """Counts the bytes ijson has pulled, to bound one element's size without seeing its text, and refuses a run
    of digits longer than MAX_NUMBER_DIGITS (across reads too) before ijson gets to parse it: the bytes before
    the run are handed on first, so the records before it are still read."""

    def __init__(self, stream: BinaryIO, offset: int = 0) -> None:
        self._stream = stream
        self.count = offset
        self._trailing_digits = 0
        self._refusal: FormatError | None = None

    def read(self, size: int = -1) -> bytes:
        if self._refusal is not None:
            raise self._refusal
        data = self._stream.read(size)
        cut = self._long_number_start(data)
        if cut is not None:
            self._refusal = FormatError(
                f"more than {MAX_NUMBER_DIGITS} digits in a row from byte {self.count + cut + 1}: numbers that "
                "long are refused before parsing"
            )
            data = data[: max(cut, 0)]
            if not data:
                raise self._refusal
        self.count += len(data)
        return data

    def _long_number_start(self, data: bytes) -> int | None:
        """Where in `data` a run of too many digits starts (negative: in an earlier read), or None."""
        leading = len(data) - len(data.lstrip(_DIGITS))
        if self._trailing_digits + leading > MAX_NUMBER_DIGITS:
            return -self._trailing_digits
        if match := _LONG_DIGIT_RUN.search(data):
            return match.start()
        trailing = len(data) - len(data.rstrip(_DIGITS))
        self._trailing_digits = self._trailing_digits + trailing if trailing == len(data) else trailing
        return None


def _first_line(exc: ijson.JSONError) -> str:
    message = exc.args[0] if exc.args else ""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    lines = str(message).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _describe(detail: str, index: int, inside: bool) -> str:
    where = f"inside record {index + 1}" if inside else f"after record {index}" if index else "before record 1"
    if "premature EOF" in detail:
        return f"truncated {where}: the data ends before the array is closed"
    if "trailing garbage" in detail:
        return "unexpected data after the array's closing bracket"
    return f"invalid JSON {where}: {detail}"


register_format("json", read_json_array, extensions=(".json",), content_types=("application/json",))
