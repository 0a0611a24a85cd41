"""A fake distribution's entry points, for the registry tests of sources and formats (`ingest.plugins`)."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import EntryPoint
from pathlib import Path
from types import ModuleType

import pytest

from ingest import plugins

PLUGIN_MODULE_PREFIX = "tracking_pipeline_test_plugin_"


def isolate_registry(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> None:
    """Registrations made by a test vanish after it; entry points are scanned afresh, as in a new process.

    The real registry loads its built-in modules first: once imported, a module does not register again, so a
    registry that saw them only in a test's copy would stay empty after it."""
    module._registry.entries()
    isolated = copy.deepcopy(module._registry)
    isolated.plugins_scanned = False
    monkeypatch.setattr(module, "_registry", isolated)


@contextmanager
def entry_point_plugins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, group: str
) -> Iterator[Callable[[str, str], EntryPoint]]:
    """`install(name, module_text)` writes a module and lists it as the only plugin of `group`."""

    def install(name: str, module_text: str) -> EntryPoint:
        module = f"{PLUGIN_MODULE_PREFIX}{name}"
        (tmp_path / f"{module}.py").write_text(module_text.replace("{name}", name))
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delitem(sys.modules, module, raising=False)
        entry_point = EntryPoint(name=name, value=module, group=group)
        monkeypatch.setattr(plugins, "entry_points", lambda group: [entry_point] if group == entry_point.group else [])
        return entry_point

    try:
        yield install
    finally:
        for module in [name for name in sys.modules if name.startswith(PLUGIN_MODULE_PREFIX)]:
            del sys.modules[module]


@pytest.fixture
def plugin_entry_point(
    entry_point_group: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Callable[[str, str], EntryPoint]]:
    """`entry_point_plugins` for the group of the registry under test (the `entry_point_group` fixture)."""
    with entry_point_plugins(monkeypatch, tmp_path, entry_point_group) as install:
        yield install
