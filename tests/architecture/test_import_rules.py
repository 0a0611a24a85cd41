"""The architecture as import rules: the contracts in pyproject.toml ([tool.importlinter]) hold for the tree, and
each one breaks, naming the offending import, when a copy of the tree is given a deliberate violation.

import-linter reads the imports statically; the last test also imports every `ingest` module in a fresh
interpreter, which catches what a static reading cannot see (a package `__init__` that pulls Pulumi in).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACKAGES = ("components", "ingest")
LINT = (
    "import sys\n"
    "from importlinter.cli import lint_imports\n"
    "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))\n"
)


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINT], cwd=root, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_tree_keeps_every_contract():
    result = lint(PROJECT_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The packages' Python files and the contracts, without data, caches or anything else."""
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_DIR / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.json")
        )
    shutil.copy(PROJECT_DIR / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("path", "violation", "contract", "chain"),
    [
        (
            "ingest/formats/jsonl.py",
            "import ingest.sources.base",
            "Formats never import sources",
            "ingest.formats.jsonl -> ingest.sources.base",
        ),
        ("ingest/records/model.py", "import pulumi", "The tool never loads Pulumi", "ingest.records.model -> pulumi"),
        (
            "ingest/verify/listing.py",
            "import components.tracking_pipeline",
            "The tool never loads Pulumi",
            "ingest.verify.listing -> components.tracking_pipeline",
        ),
        (
            "components/core/layout.py",
            "import ingest.errors",
            "The core imports neither the infrastructure, the tool, nor Pulumi",
            "components.core.layout -> ingest.errors",
        ),
        (
            "ingest/run/pipeline.py",
            "import ingest.commands.console",
            "commands sit on top",
            "ingest.run.pipeline -> ingest.commands.console",
        ),
        (
            "ingest/verify/reading.py",
            "import ingest.query.engine",
            "commands sit on top",
            "ingest.verify.reading -> ingest.query.engine",
        ),
        (
            "ingest/formats/base.py",
            "import ingest.formats.registry",
            "No import cycles between sibling modules or packages",
            "No cycles are allowed in ingest.formats",
        ),
    ],
    ids=[
        "formats-import-sources",
        "tool-imports-pulumi",
        "tool-imports-component",
        "core-imports-tool",
        "below-commands",
        "verify-imports-query",
        "cycle",
    ],
)
def test_a_deliberate_violation_breaks_its_contract_and_names_the_import(tree_copy, path, violation, contract, chain):
    module = tree_copy / path
    module.write_text(module.read_text() + f"\n{violation}  # deliberate violation\n")
    result = lint(tree_copy)
    assert result.returncode != 0
    report = " ".join(result.stdout.split())
    assert f"{contract}" in report and "BROKEN" in report, result.stdout
    assert chain in report, result.stdout


def test_importing_every_ingest_module_loads_no_pulumi():
    """Static rules miss a package `__init__` that imports Pulumi: import the whole tool and look."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        "import ingest\n"
        "names = [m.name for m in pkgutil.walk_packages(ingest.__path__, 'ingest.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.partition('.')[0] in ('pulumi', 'pulumi_aws'))\n"
        "print(json.dumps({'modules': len(names), 'pulumi': loaded}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["modules"] > 50
    assert report["pulumi"] == []


def test_the_cli_and_the_publish_and_verify_paths_load_no_query_engine():
    """DuckDB, pyarrow and matplotlib are for `query`, Parquet objects and charts: they load where used, not when the
    tool starts, publishes or verifies JSON deliveries."""
    code = (
        "import json, sys\n"
        "import ingest.cli, ingest.commands.publish, ingest.commands.verify, ingest.verify, ingest.run, ingest.query\n"
        "import ingest.local.firehose_standin, ingest.parquet\n"
        "from ingest.verify.reading import iter_lines\n"
        "list(iter_lines(b'{\"a\": 1}\\n'))\n"
        "heavy = ('duckdb', 'pyarrow', 'matplotlib', 'numpy')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.partition('.')[0] in heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
