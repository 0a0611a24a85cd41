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
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO, cast

import ijson

from ingest.errors import FormatError
from ingest.formats.base import DEFAULT_CHUNK_SIZE, MalformedRecord, RawRecord
from ingest.formats.byte_reading import utf8_body
from ingest.formats.limits import MAX_NESTING, MAX_NUMBER_DIGITS, MAX_RECORD_BYTES, preview
from ingest.formats.registry import register_format

_OPENERS = frozenset({"start_map", "start_array"})
_CLOSERS = frozenset({"end_map", "end_array"})
_FOUND = {"start_map": "an object", "string": "a string", "number": "a number", "boolean": "a boolean"}
_DIGITS = b"0123456789"
_LONG_DIGIT_RUN = re.compile(rb"[0-9]{%d,}" % (MAX_NUMBER_DIGITS + 1))
Events = Iterator[tuple[str, Any]]


def read_json_array(stream: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[RawRecord | MalformedRecord]:
    body = _CountingReader(utf8_body(stream))
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
    index, inside = 0, False
    try:
        for event, value in events:
            if event == "end_array":
                continue
            inside = True
            record = _record(index, event, value, events, body)
            inside = False
            yield record
            index += 1
    except ijson.JSONError as exc:
        raise FormatError(_describe(_first_line(exc), index, inside)) from exc


def _record(index: int, event: str, value: Any, events: Events, body: _CountingReader) -> RawRecord | MalformedRecord:
    position = f"record {index + 1}"
    if event not in _OPENERS:
        return RawRecord(index, position, _number(value))
    built, problem = _build(event, events, body)
    if problem is None:
        return RawRecord(index, position, built)
    return MalformedRecord(index, position, preview(_render(built)) if built is not None else "", problem)


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

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0
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
