"""The package metadata: the component installs with pulumi and pulumi-aws alone; the ingest CLI is an extra.

A stack that only builds TrackingPipeline should not pull in boto3, requests, ijson, defusedxml, aws-kinesis-agg
and tqdm. These tests read pyproject.toml as pip and setuptools read it, and import the component in a fresh
interpreter where importing any of the CLI's dependencies fails.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import pytest
import setuptools
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT_DIR = Path(__file__).resolve().parents[2]
COMPONENT_DEPENDENCIES = {"pulumi", "pulumi-aws"}
CLI_DEPENDENCIES = {"boto3", "requests", "ijson", "msgspec", "defusedxml", "aws-kinesis-agg", "tqdm"}
# The modules the issue names, plus botocore (boto3's own): none may load when the component is imported.
CLI_MODULES = {"boto3", "botocore", "requests", "ijson", "msgspec", "defusedxml", "aws_kinesis_agg", "tqdm"}
PACKAGE_ROOTS = ("components", "ingest")

BLOCKER = """
import importlib.abc
import sys

BLOCKED = frozenset(sys.argv[1].split(","))


class Blocked(importlib.abc.MetaPathFinder):
    # Raises what a missing module raises, so code that handles an absent optional dependency is exercised.
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"{name} is blocked in this test", name=name)
        return None


sys.meta_path.insert(0, Blocked())
sys.path.insert(0, sys.argv[2])
"""


def pyproject() -> dict[str, Any]:
    return tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())


def requirements(key: str | None = None) -> list[Requirement]:
    project = pyproject()["project"]
    declared = project.get("dependencies", []) if key is None else project["optional-dependencies"][key]
    return [Requirement(line) for line in declared]


def names(declared: list[Requirement]) -> set[str]:
    return {canonicalize_name(requirement.name) for requirement in declared}


def pinned_versions() -> dict[str, str]:
    pins: dict[str, str] = {}
    lines = [
        line
        for name in ("requirements.txt", "requirements-dev.txt")
        for line in (PROJECT_DIR / name).read_text().splitlines()
    ]
    for line in lines:
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def run_isolated(blocked: set[str], code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter (-I: no user site, no PYTHON* variables) with `blocked` unimportable."""
    return subprocess.run(
        [sys.executable, "-I", "-c", BLOCKER + code, ",".join(sorted(blocked)), str(PROJECT_DIR)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_DIR,
    )


def test_build_backend_is_a_pinned_setuptools():
    build = pyproject()["build-system"]
    assert build["build-backend"] == "setuptools.build_meta"
    (requirement,) = (Requirement(line) for line in build["requires"])
    assert requirement.name == "setuptools"
    assert str(requirement.specifier).startswith("=="), "the build backend must be pinned"


def test_the_component_depends_on_pulumi_and_pulumi_aws_only():
    assert names(requirements()) == COMPONENT_DEPENDENCIES


def test_the_ingest_extra_holds_the_cli_dependencies():
    extras = pyproject()["project"]["optional-dependencies"]
    assert set(extras) == {"ingest", "job", "query"}
    assert names(requirements("ingest")) >= CLI_DEPENDENCIES
    assert not names(requirements()) & names(requirements("ingest"))


@pytest.mark.parametrize("extra", [None, "ingest", "job", "query"])
def test_every_range_admits_the_tested_pin_and_stops_before_the_next_major(extra):
    pins = pinned_versions()
    for requirement in requirements(extra):
        name = canonicalize_name(requirement.name)
        operators = {spec.operator for spec in requirement.specifier}
        assert "==" not in operators, f"{requirement}: a library declares ranges, the pins live in requirements.txt"
        assert "<" in operators, f"{requirement}: no upper bound"
        assert requirement.specifier.contains(pins[name]), f"{requirement} excludes the tested {name}=={pins[name]}"


def test_package_discovery_ships_every_component_and_ingest_package_and_nothing_else():
    find = pyproject()["tool"]["setuptools"]["packages"]["find"]
    assert find.get("namespaces") is False
    found = set(setuptools.find_packages(where=str(PROJECT_DIR), include=find["include"]))
    code_dirs = {
        ".".join(path.parent.relative_to(PROJECT_DIR).parts)
        for root in PACKAGE_ROOTS
        for path in (PROJECT_DIR / root).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert found == code_dirs, f"directories without __init__.py would not ship: {sorted(code_dirs - found)}"


@pytest.mark.parametrize(
    ("package", "expected"),
    [("ingest", "the sample dataset"), ("components", "the data dictionary and the named queries")],
)
def test_every_data_file_of_a_package_ships_as_package_data(package, expected):
    patterns = pyproject()["tool"]["setuptools"]["package-data"][package]
    root = PROJECT_DIR / package
    shipped = {path for pattern in patterns for path in root.glob(pattern)}
    data_files = {
        path
        for path in root.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }
    assert data_files, f"{expected} is missing"
    assert data_files <= shipped, f"not shipped: {sorted(str(p.relative_to(root)) for p in data_files - shipped)}"


def test_the_component_imports_only_pulumi_pulumi_aws_and_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"pulumi", "pulumi_aws", "components"}
    for path in (PROJECT_DIR / "components").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                assert module.partition(".")[0] in allowed, f"{path.name} imports {module}"


def test_the_cli_modules_blocked_below_are_exactly_the_ingest_extra():
    distributions = {
        module: {canonicalize_name(name) for name in dists} for module, dists in packages_distributions().items()
    }
    extra = names(requirements("ingest"))
    from_extra = {module for module, dists in distributions.items() if dists & extra}
    assert from_extra <= CLI_MODULES
    assert {module for module in CLI_MODULES if module != "botocore"} <= from_extra


def test_the_component_imports_and_builds_its_arguments_with_the_cli_dependencies_blocked():
    result = run_isolated(
        CLI_MODULES,
        """
import json

from components import TrackingPipeline, TrackingPipelineArgs

TrackingPipelineArgs(data_prefix="clickstream/", stream_mode="ON_DEMAND")
try:
    import boto3  # noqa: F401
    blocker_works = False
except ImportError:
    blocker_works = True
loaded = sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED)
print(json.dumps({"component": TrackingPipeline.__module__, "loaded": loaded, "blocker_works": blocker_works}))
""",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"component": "components.tracking_pipeline", "loaded": [], "blocker_works": True}


def test_the_blocker_does_stop_the_cli_from_importing():
    result = run_isolated(CLI_MODULES, "import ingest.publishing.kinesis\n")
    assert result.returncode != 0
    assert "is blocked in this test" in result.stderr


def test_the_installed_cli_starts_without_the_checkout_only_demo_dependencies():
    """The demo needs moto and PyYAML (for the stack files of a checkout); an install with the [ingest] extra has
    neither, and every other command must still start."""
    result = run_isolated(
        {"moto", "yaml"},
        """
from ingest.cli import main

raise SystemExit(main(["publish", "--help"]))
""",
    )
    assert result.returncode == 0, result.stderr
    assert "--stream" in result.stdout


def test_the_component_reads_the_data_dictionary_with_the_cli_dependencies_blocked():
    """The endpoint's models and templates come from the schema file the Pulumi-free core ships, read as data: a
    stack that only builds the component needs no CLI dependency for it."""
    result = run_isolated(
        CLI_MODULES | {"jsonschema", "airspeed"},
        """
import json

from components.core.endpoint import endpoint_definition
from components.core.data_dictionary import load_record_schema

definition = endpoint_definition(load_record_schema())
loaded = sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED)
print(json.dumps({"routes": [route.path for route in definition.routes], "loaded": loaded}))
""",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"routes": ["/v1/records", "/v1/batch"], "loaded": []}


def test_the_demo_without_its_checkout_only_dependencies_says_so_in_one_line():
    result = run_isolated(
        {"moto", "yaml"},
        """
from ingest.cli import main

raise SystemExit(main(["demo"]))
""",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "pip install -r requirements-dev.txt" in result.stderr


def test_send_starts_without_the_checkout_only_demo_dependencies():
    """`send` is the reference producer: it must run from an install with the [ingest] extra alone."""
    result = run_isolated(
        {"moto", "yaml", "jsonschema", "airspeed"},
        """
from ingest.cli import main

raise SystemExit(main(["send", "--help"]))
""",
    )
    assert result.returncode == 0, result.stderr
    assert "--endpoint" in result.stdout
