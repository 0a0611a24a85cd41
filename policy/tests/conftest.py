"""Import the pack the way the engine runs it, and reuse the program's Pulumi mocks harness.

The engine starts the pack with `python -m pulumi.policy <engine> .`, which runs the pack directory, so
`policies` is a top-level module: the pack directory goes on sys.path here too. The repository root goes there
so tests/components's harness (and through it, __main__.py and the component) can be imported.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

PACK_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = PACK_DIR.parent
for _path in (str(REPO_DIR), str(PACK_DIR)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from tests.components.conftest import run_program, stand_in_archive  # noqa: E402, F401 - the program harness's fixtures


@pytest.fixture(autouse=True)
def _no_stack_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """The versioning rules read PULUMI_STACK; a value left in a developer's shell must not decide a test."""
    monkeypatch.delenv("PULUMI_STACK", raising=False)
