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
import tomllib
from dataclasses import dataclass
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


CORE = "The core imports no component module, nor the tool, nor Pulumi"
NO_PULUMI = "The tool never loads Pulumi, directly or through the component modules"
NO_BUILDERS = "The tool never imports what builds or measures it"
LAYERS = "Inside ingest, imports only go down"
QUERY_ALONE = "The query side stands alone"
NO_CYCLES = "No import cycles between sibling modules or packages"


@dataclass(frozen=True)
class Violation:
    path: str
    """The module, relative to the tree, that gets the import."""
    statement: str
    contract: str
    """The start of the name of the contract it must break."""
    chain: str
    """What the report must name: the offending import."""


VIOLATIONS = {
    "core-imports-tool": Violation(
        "components/core/layout.py", "import ingest.errors", CORE, "components.core.layout -> ingest.errors"
    ),
    "core-imports-pulumi": Violation(
        "components/core/naming.py", "import pulumi", CORE, "components.core.naming -> pulumi"
    ),
    **{
        f"core-imports-{module}": Violation(
            "components/core/settings.py",
            f"import components.{module}",
            CORE,
            f"components.core.settings -> components.{module}",
        )
        for module in ("tracking_pipeline", "http_endpoint", "catalog", "ingest_job", "lambda_archive")
    },
    "tool-imports-pulumi": Violation(
        "ingest/records/model.py", "import pulumi", NO_PULUMI, "ingest.records.model -> pulumi"
    ),
    "tool-imports-component": Violation(
        "ingest/verify/listing.py",
        "import components.tracking_pipeline",
        NO_PULUMI,
        "ingest.verify.listing -> components.tracking_pipeline",
    ),
    "tool-imports-job-component": Violation(
        "ingest/job/planner.py",
        "import components.ingest_job",
        NO_PULUMI,
        "ingest.job.planner -> components.ingest_job",
    ),
    "tool-imports-archive-builder": Violation(
        "ingest/cli.py", "import components.lambda_archive", NO_BUILDERS, "ingest.cli -> components.lambda_archive"
    ),
    "tool-imports-bench": Violation(
        "ingest/run/publish.py", "import bench", NO_BUILDERS, "ingest.run.publish -> bench"
    ),
    "tool-imports-reliability": Violation(
        "ingest/verify/result.py", "import reliability", NO_BUILDERS, "ingest.verify.result -> reliability"
    ),
    "below-commands": Violation(
        "ingest/run/pipeline.py",
        "import ingest.commands.console",
        LAYERS,
        "ingest.run.pipeline -> ingest.commands.console",
    ),
    "verify-imports-query": Violation(
        "ingest/verify/reading.py", "import ingest.query.engine", LAYERS, "ingest.verify.reading -> ingest.query.engine"
    ),
    "query-imports-smoke": Violation(
        "ingest/query/engine.py", "import ingest.smoke.check", LAYERS, "ingest.query.engine -> ingest.smoke.check"
    ),
    "job-imports-query": Violation(
        "ingest/job/worker.py", "import ingest.query.engine", LAYERS, "ingest.job.worker -> ingest.query.engine"
    ),
    "endpoint-imports-run": Violation(
        "ingest/endpoint/send.py", "import ingest.run.report", LAYERS, "ingest.endpoint.send -> ingest.run.report"
    ),
    "run-imports-endpoint": Violation(
        "ingest/run/report.py", "import ingest.endpoint.report", LAYERS, "ingest.run.report -> ingest.endpoint.report"
    ),
    "formats-import-sources": Violation(
        "ingest/formats/jsonl.py", "import ingest.sources.base", LAYERS, "ingest.formats.jsonl -> ingest.sources.base"
    ),
    "shared-module-imports-a-stage": Violation(
        "ingest/json_files.py", "import ingest.formats", LAYERS, "ingest.json_files -> ingest.formats"
    ),
    "query-imports-verify": Violation(
        "ingest/query/engine.py",
        "import ingest.verify.result",
        QUERY_ALONE,
        "ingest.query.engine -> ingest.verify.result",
    ),
    "query-imports-run": Violation(
        "ingest/query/delivered.py",
        "import ingest.run.report",
        QUERY_ALONE,
        "ingest.query.delivered -> ingest.run.report",
    ),
    "cycle": Violation(
        "ingest/formats/base.py", "import ingest.formats.registry", NO_CYCLES, "No cycles are allowed in ingest.formats"
    ),
}


def contract_names() -> list[str]:
    with (PROJECT_DIR / "pyproject.toml").open("rb") as handle:
        return [contract["name"] for contract in tomllib.load(handle)["tool"]["importlinter"]["contracts"]]


def test_every_contract_has_a_planted_violation():
    """A contract added to pyproject.toml without a violation here would go unproven."""
    contracts = contract_names()
    proven = {violation.contract for violation in VIOLATIONS.values()}
    assert len(contracts) == len(proven)
    assert all(any(name.startswith(start) for start in proven) for name in contracts), contracts


@pytest.mark.parametrize("violation", VIOLATIONS.values(), ids=VIOLATIONS.keys())
def test_a_deliberate_violation_breaks_its_contract_and_names_the_import(tree_copy, violation):
    module = tree_copy / violation.path
    module.write_text(module.read_text() + f"\n{violation.statement}  # deliberate violation\n")
    result = lint(tree_copy)
    assert result.returncode != 0
    report = " ".join(result.stdout.split())
    (name,) = [name for name in contract_names() if name.startswith(violation.contract)]
    assert f"{name} BROKEN" in report, result.stdout
    assert violation.chain in report, result.stdout


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
