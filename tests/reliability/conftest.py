from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _in_a_scratch_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`publish` writes its default dead-letter file to the working directory: keep it out of the repository."""
    monkeypatch.chdir(tmp_path)
