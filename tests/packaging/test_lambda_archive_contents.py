"""The project files in the Lambda archive are exactly what the handlers import: nothing they need is left out,
and nothing they never import (the CLI, the demo's emulator and stand-ins, the read side) rides along.

"What they import" is the import graph (grimp, which import-linter builds on) from the two handler modules and the
formats and sources the registries load by name, with every parent package (Python runs each `__init__` on the
way). Only the archive's own scope counts: the Pulumi modules `components/__init__.py` loads on first use are
never loaded by the handlers (tests/packaging/test_lambda_archive.py runs them without Pulumi).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

from components import lambda_archive
from components.core.job import PLANNER_HANDLER, WORKER_HANDLER
from ingest.formats.registry import BUILT_IN_MODULES as BUILT_IN_FORMATS
from ingest.sources.registry import BUILT_IN_MODULES as BUILT_IN_SOURCES

HANDLER_MODULES = tuple(handler.rpartition(".")[0] for handler in (PLANNER_HANDLER, WORKER_HANDLER))


def _in_archive_scope(module: str) -> bool:
    return module == "components" or module.startswith(("components.core", "ingest"))


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:depth]) for depth in range(1, len(parts))]


def _imported_from(graph: grimp.ImportGraph, roots: Iterable[str]) -> set[str]:
    reached: set[str] = set()
    waiting = list(roots)
    while waiting:
        module = waiting.pop()
        if module in reached or not _in_archive_scope(module):
            continue
        reached.add(module)
        waiting.extend(_parents(module))
        waiting.extend(graph.find_modules_directly_imported_by(module))
    return reached


def _module_name(archive_name: str) -> str:
    return archive_name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


@pytest.fixture(scope="module")
def needed() -> set[str]:
    graph = grimp.build_graph("components", "ingest", exclude_type_checking_imports=True)
    needed = _imported_from(graph, [*HANDLER_MODULES, *BUILT_IN_FORMATS, *BUILT_IN_SOURCES])
    assert set(HANDLER_MODULES) <= needed
    return needed


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The project's modules in the archive (an empty staging folder: no wheels, only the project's files)."""
    entries = lambda_archive.archive_entries(tmp_path_factory.mktemp("no-wheels"))
    packed = {_module_name(name) for name in entries if name.endswith(".py")}
    assert packed
    return packed


def test_every_module_the_handlers_import_is_packed(needed, packed):
    assert sorted(needed - packed) == []


def test_nothing_the_handlers_never_import_is_packed(needed, packed):
    """A new module the handlers do not import goes into LEFT_OUT_PROJECT_PATHS (components/lambda_archive.py)."""
    assert sorted(packed - needed) == []


def test_the_demo_the_commands_and_the_sample_data_stay_out(packed):
    left_out = {"ingest.local", "ingest.commands", "ingest.cli", "ingest.__main__", "ingest.sample"}
    assert not [module for module in packed if {module, *_parents(module)} & left_out]


def test_the_data_dictionary_is_packed_and_the_named_queries_are_not(tmp_path: Path):
    names = set(lambda_archive.archive_entries(tmp_path))
    assert "components/core/price_record.schema.json" in names
    assert not [name for name in names if name.startswith("components/core/queries/")]
