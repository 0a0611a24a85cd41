"""Resolving a `--source` value to a source kind, and adding kinds from outside the package."""

from __future__ import annotations

from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

import pytest

from ingest.errors import ConfigurationError, DuplicateRegistrationError, UnknownSourceError
from ingest.sources import (
    DEFAULT_SOURCE,
    SourceObject,
    SourceOptions,
    list_objects_after,
    open_source,
    register_source,
    source_kinds,
)
from ingest.sources import registry as source_registry
from ingest.sources.http import HttpSource
from ingest.sources.local import LocalSource
from ingest.sources.s3 import S3Source


class MemorySource:
    """A source defined outside the package: a fixed set of in-memory objects."""

    def __init__(self, spec: str) -> None:
        self.uri = spec
        self.data = {"a.json": b"[]"}

    def list_objects(self):
        for key in sorted(self.data):
            yield SourceObject(uri=f"{self.uri}{key}", key=key, size=len(self.data[key]))

    @contextmanager
    def open(self, obj: SourceObject):
        yield BytesIO(self.data[obj.key])


def memory_source(spec: str, options: SourceOptions) -> MemorySource:
    return MemorySource(spec)


def test_a_source_that_cannot_start_after_a_key_is_resumed_by_skipping() -> None:
    source = MemorySource("mem://")
    source.data = {name: b"[]" for name in ("a.json", "b.json", "c.json")}
    assert [obj.key for obj in list_objects_after(source, "mem://a.json")] == ["b.json", "c.json"]
    assert [obj.key for obj in list_objects_after(source, None)] == ["a.json", "b.json", "c.json"]


@pytest.mark.usefixtures("aws_env")
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("s3://bucket/prefix/", S3Source),
        (DEFAULT_SOURCE, S3Source),
        ("https://s3.ap-southeast-1.amazonaws.com/bucket/prefix/", S3Source),
        ("https://example.com/data/records.json", HttpSource),
        ("http://127.0.0.1:9/records.csv", HttpSource),
    ],
)
def test_remote_specs_resolve_to_their_kind(spec: str, expected: type) -> None:
    assert isinstance(open_source(spec), expected)


def test_plain_paths_and_file_uris_are_local(tmp_path: Path) -> None:
    assert isinstance(open_source(str(tmp_path)), LocalSource)
    assert isinstance(open_source(tmp_path.as_uri()), LocalSource)


def test_an_unknown_scheme_lists_the_known_kinds() -> None:
    with pytest.raises(UnknownSourceError) as caught:
        open_source("ftp://example.com/records.json")
    message = str(caught.value)
    assert "ftp://example.com/records.json" in message
    for kind in ("s3 (s3://)", "http (http://, https://)", "local (file://, plain path)", "s3-https"):
        assert kind in message
    assert isinstance(caught.value, ConfigurationError)


def test_the_built_in_kinds() -> None:
    assert source_kinds() == ["http", "local", "s3", "s3-https"]


@pytest.mark.usefixtures("isolated_source_registry")
def test_a_source_registered_from_outside_is_used_for_its_scheme() -> None:
    register_source("memory", memory_source, schemes=("mem",))
    source = open_source("mem://demo/")
    assert isinstance(source, MemorySource)
    assert [obj.key for obj in source.list_objects()] == ["a.json"]
    assert "memory" in source_kinds()


@pytest.mark.usefixtures("isolated_source_registry")
def test_a_specific_registration_wins_over_the_catch_all_of_its_scheme() -> None:
    register_source("memory-over-https", memory_source, schemes=("https",), accepts=lambda spec: "memory" in spec)
    assert isinstance(open_source("https://memory.example/x/"), MemorySource)
    assert isinstance(open_source("https://example.com/x.json"), HttpSource)


@pytest.mark.usefixtures("isolated_source_registry")
def test_a_duplicate_kind_is_rejected() -> None:
    with pytest.raises(DuplicateRegistrationError, match="'s3' is already registered"):
        register_source("s3", memory_source, schemes=("mem",))


@pytest.mark.usefixtures("isolated_source_registry")
def test_a_second_catch_all_for_a_scheme_is_rejected() -> None:
    with pytest.raises(DuplicateRegistrationError, match="scheme 'https' already belongs to 'http'"):
        register_source("other-http", memory_source, schemes=("https",))


@pytest.mark.usefixtures("isolated_source_registry")
def test_two_specific_kinds_claiming_one_spec_is_a_configuration_error() -> None:
    register_source("first", memory_source, schemes=("mem",), accepts=lambda spec: True)
    register_source("second", memory_source, schemes=("mem",), accepts=lambda spec: True)
    with pytest.raises(ConfigurationError, match="claimed by several kinds: first, second"):
        open_source("mem://x/")


PLUGIN_MODULE = """
from ingest.sources import register_source

class PluginSource:
    def __init__(self, spec):
        self.uri = spec

def plugin_source(spec, options):
    return PluginSource(spec)

register_source("{name}", plugin_source, schemes=("{name}",))
"""


@pytest.mark.usefixtures("isolated_source_registry")
def test_an_entry_point_plugin_is_loaded_on_first_use(plugin_entry_point) -> None:
    plugin_entry_point("plugged", PLUGIN_MODULE)
    assert "plugged" not in source_registry._registry._entries
    source = open_source("plugged://somewhere/")
    assert type(source).__name__ == "PluginSource"
    assert "plugged" in source_kinds()


@pytest.mark.usefixtures("isolated_source_registry")
def test_a_broken_plugin_is_a_configuration_error_naming_it(plugin_entry_point) -> None:
    plugin_entry_point("broken", "raise RuntimeError('boom')")
    with pytest.raises(ConfigurationError, match=r"source plugin 'broken' .* failed to load: boom"):
        open_source("s3://bucket/")


@pytest.mark.usefixtures("isolated_source_registry")
def test_a_plugin_that_registers_another_name_is_reported(plugin_entry_point) -> None:
    plugin_entry_point("named", PLUGIN_MODULE.replace('"{name}"', '"other"'))
    with pytest.raises(ConfigurationError, match="registered no source of that name"):
        source_kinds()
