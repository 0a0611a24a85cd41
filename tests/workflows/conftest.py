"""The repository's workflow files, Makefile, stacks and pins, as the workflow rules read them."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from .rules import Makefile, Workflow

PROJECT_DIR = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = PROJECT_DIR / ".github" / "workflows"
DEPENDABOT = PROJECT_DIR / ".github" / "dependabot.yml"
POLICY_DIR = PROJECT_DIR / "policy"


def read_workflow(name: str) -> Workflow:
    return Workflow.parse(name, (WORKFLOWS_DIR / name).read_text())


def workflow_names() -> list[str]:
    return sorted(path.name for path in WORKFLOWS_DIR.glob("*.y*ml"))


def pinned_requirement_dirs() -> list[str]:
    """Every directory with a requirements file that pins versions (`==`), as Dependabot names it ("/policy")."""
    found = set()
    for path in PROJECT_DIR.rglob("requirements*.txt"):
        relative = path.relative_to(PROJECT_DIR)
        if relative.parts[0].startswith("."):
            continue
        if re.search(r"^[A-Za-z0-9_.\[\],-]+==", path.read_text(), re.MULTILINE):
            found.add("/" + relative.parent.as_posix().strip("."))
    return sorted(found)


def project_stacks() -> list[str]:
    """Every stack with a settings file: each one must be previewed."""
    return sorted(path.name.split(".")[1] for path in PROJECT_DIR.glob("Pulumi.*.yaml"))


def pulumi_sdk_pin() -> str:
    match = re.search(r"^pulumi==([^\s\\]+)", (PROJECT_DIR / "requirements.txt").read_text(), re.MULTILINE)
    assert match, "requirements.txt does not pin pulumi"
    return match.group(1)


def mypy_files() -> list[str]:
    """What a bare `mypy` checks: the files pyproject.toml configures."""
    config = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())
    return list(config.get("tool", {}).get("mypy", {}).get("files", []))


NO_VIRTUALENV = "<PulumiPolicy.yaml names no virtualenv>"


def policy_venv() -> str | None:
    """Where the Pulumi CLI runs the policy pack from, relative to the repository (None: no pack yet)."""
    settings = POLICY_DIR / "PulumiPolicy.yaml"
    if not settings.exists():
        return None
    runtime = yaml.safe_load(settings.read_text()).get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    virtualenv = options.get("virtualenv") if isinstance(options, dict) else None
    if not virtualenv:
        return NO_VIRTUALENV
    # Lexically, not resolve(): a worktree's .venv-policy may be a symlink to a virtualenv elsewhere.
    return str(Path(os.path.normpath(POLICY_DIR / virtualenv)).relative_to(PROJECT_DIR))


@pytest.fixture(scope="session")
def makefile() -> Makefile:
    return Makefile.parse((PROJECT_DIR / "Makefile").read_text())
