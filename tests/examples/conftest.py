"""Run an example program (examples/<name>/__main__.py) as `pulumi up` would, under the infra tests' mocks.

The examples are separate Pulumi projects: their config lives under their own project name, and a
StackReference is answered with the outputs the test gives for the referenced stack.
"""

from __future__ import annotations

import runpy
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.runtime.settings import ROOT
from pulumi.runtime.stack import Stack

from tests.components.conftest import Graph, ProgramRun, RecordingMocks, RecordingMonitor, Registered, _settle

PROJECT_DIR = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = PROJECT_DIR / "examples"
STACK_REFERENCE = "pulumi:pulumi:StackReference"

ExampleRunner = Callable[..., ProgramRun]


class ReferencingMocks(RecordingMocks):
    """RecordingMocks that also answer StackReferences, from {"org/project/stack": {output: value}}."""

    def __init__(self, stacks: Mapping[str, Mapping[str, Any]]) -> None:
        super().__init__()
        self.stacks = stacks

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ != STACK_REFERENCE:
            return super().new_resource(args)
        name = args.inputs.get("name") or args.name
        if name not in self.stacks:
            raise KeyError(f"no outputs given for the referenced stack {name!r}")
        outputs: dict[str, Any] = {"name": name, "outputs": dict(self.stacks[name]), "secretOutputNames": []}
        self.resources.append(Registered(args.typ, args.name, dict(args.inputs), outputs, None))
        return name, outputs


def project_name(example: str) -> str:
    return yaml.safe_load((EXAMPLES_DIR / example / "Pulumi.yaml").read_text())["name"]


@pytest.fixture
def run_example(monkeypatch: pytest.MonkeyPatch) -> Iterator[ExampleRunner]:
    # The examples import `components` from this repository, as their requirements.txt installs it.
    monkeypatch.syspath_prepend(str(PROJECT_DIR))

    def run(
        example: str,
        config: Mapping[str, str] | None = None,
        stack: str = "dev",
        stacks: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> ProgramRun:
        project = project_name(example)
        mocks = ReferencingMocks(stacks or {})
        monitor = RecordingMonitor(mocks)
        ROOT.set(None)
        pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
        pulumi.runtime.set_all_config({f"{project}:{key}": value for key, value in (config or {}).items()})
        runpy.run_path(str(EXAMPLES_DIR / example / "__main__.py"), run_name="__main__")
        root = ROOT.get()
        assert isinstance(root, Stack), "the program registered no stack"
        exported = root.outputs
        names = list(exported)
        values = _settle(*(exported[name] for name in names))
        return ProgramRun(Graph(mocks, monitor), dict(zip(names, values, strict=True)))

    yield run
    pulumi.runtime.set_all_config({})
