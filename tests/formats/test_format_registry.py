"""Adding a format from outside the package, detection, and the registry's refusals."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

import pytest

from ingest.errors import ConfigurationError, DuplicateRegistrationError, UnknownFormatError
from ingest.formats import (
    DEFAULT_CHUNK_SIZE,
    MalformedRecord,
    RawRecord,
    UndetectableFormatError,
    detect_format,
    format_names,
    get_format,
    read_object,
    register_format,
)
from ingest.formats import registry as format_registry
from ingest.sources import SourceObject


def read_pipe_separated(
    stream: BinaryIO, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> Iterator[RawRecord | MalformedRecord]:
    """A format the package does not know: `name|value` lines."""
    for index, line in enumerate(io.TextIOWrapper(stream, encoding="utf-8")):
        name, _, value = line.rstrip("\n").partition("|")
        yield RawRecord(index, f"line {index + 1}", {name: value})


def _object(key: str, content_type: str | None = None) -> SourceObject:
    return SourceObject(uri=f"s3://bucket/{key}", key=key, content_type=content_type)


@pytest.mark.usefixtures("isolated_format_registry")
def test_a_format_registered_from_outside_reads_objects_with_its_extension() -> None:
    register_format("psv", read_pipe_separated, extensions=(".psv",), content_types=("text/x-psv",))
    assert "psv" in format_names()
    records = list(read_object(io.BytesIO(b"high|1\nlow|2\n"), _object("prices/2018.psv")))
    assert [record.value for record in records] == [{"high": "1"}, {"low": "2"}]
    assert detect_format(_object("prices/2018", content_type="text/x-psv")) == "psv"


@pytest.mark.usefixtures("isolated_format_registry")
def test_the_registrations_of_a_test_do_not_leak() -> None:
    assert "psv" not in format_names()


@pytest.mark.parametrize(
    ("key", "content_type", "expected"),
    [
        ("a/b/prices.json", None, "json"),
        ("prices.JSON.GZ", None, "json"),
        ("prices.ndjson", None, "jsonl"),
        ("prices.jsonl.gz", None, "jsonl"),
        ("prices.txt", None, "text"),
        ("prices.csv", "application/json", "csv"),
        ("prices", "text/csv; charset=utf-8", "csv"),
        ("prices.gz", "application/xml", "xml"),
        ("prices.xml", None, "xml"),
    ],
)
def test_detection_by_extension_then_content_type(key: str, content_type: str | None, expected: str) -> None:
    assert detect_format(_object(key, content_type)) == expected


def test_an_undetectable_object_names_itself_and_the_choices() -> None:
    with pytest.raises(UndetectableFormatError) as caught:
        detect_format(_object("prices.parquet", "application/octet-stream"))
    message = str(caught.value)
    assert "s3://bucket/prices.parquet" in message
    assert "extension .parquet, content type application/octet-stream" in message
    assert "csv, json, jsonl, text, xml" in message
    assert isinstance(caught.value, UnknownFormatError)


def test_an_unknown_format_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFormatError, match="unknown format 'yaml'; known: csv, json, jsonl, text, xml"):
        get_format("yaml")
    with pytest.raises(UnknownFormatError):
        read_object(io.BytesIO(b"[]"), _object("a.json"), format_name="yaml")


@pytest.mark.usefixtures("isolated_format_registry")
@pytest.mark.parametrize(
    ("registration", "message"),
    [
        ({"name": "json"}, "format 'json' is already registered"),
        ({"name": "json5", "extensions": ("json",)}, "extension .json belongs to 'json'"),
        ({"name": "csv2", "content_types": ("Text/CSV",)}, "content type text/csv belongs to 'csv'"),
    ],
)
def test_taken_names_extensions_and_content_types_are_rejected(registration: dict, message: str) -> None:
    before = dict(format_registry._registry.entries())
    with pytest.raises(DuplicateRegistrationError, match=message):
        register_format(registration.pop("name"), read_pipe_separated, **registration)
    assert format_registry._registry.entries() == before


@pytest.mark.usefixtures("isolated_format_registry")
def test_reserved_spellings_are_rejected() -> None:
    with pytest.raises(ValueError, match="reserved"):
        register_format("auto", read_pipe_separated)
    with pytest.raises(ValueError, match="marks compression"):
        register_format("gzipped", read_pipe_separated, extensions=(".gz",))


PLUGIN_MODULE = """
from ingest.formats import RawRecord, register_format

def read_plugged(stream, *, chunk_size=65536):
    yield RawRecord(0, "record 1", stream.read().decode())

register_format("{name}", read_plugged, extensions=(".{name}",))
"""


@pytest.mark.usefixtures("isolated_format_registry")
def test_an_entry_point_plugin_is_loaded_on_first_lookup(plugin_entry_point) -> None:
    plugin_entry_point("plug", PLUGIN_MODULE)
    assert "plug" not in format_registry._registry._entries
    [record] = read_object(io.BytesIO(b"hello"), _object("greeting.plug"))
    assert record.value == "hello"
    assert "plug" in format_names()


@pytest.mark.usefixtures("isolated_format_registry")
def test_a_broken_plugin_is_a_configuration_error_naming_it(plugin_entry_point) -> None:
    plugin_entry_point("broken", "import a_module_that_does_not_exist")
    with pytest.raises(ConfigurationError, match=r"format plugin 'broken' .* failed to load: No module named"):
        format_names()


@pytest.mark.usefixtures("isolated_format_registry")
def test_a_plugin_registering_another_name_is_reported(plugin_entry_point) -> None:
    plugin_entry_point("named", PLUGIN_MODULE.replace('"{name}"', '"other"'))
    with pytest.raises(ConfigurationError, match="registered no format of that name"):
        get_format("other")
