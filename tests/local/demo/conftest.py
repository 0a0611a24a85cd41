from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _in_a_scratch_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo writes to ./out and publish may write dead letters to the working directory: not the repo."""
    monkeypatch.chdir(tmp_path)
