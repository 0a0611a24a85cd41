"""Children of the benchmark (`python -m bench.<module>`) import this checkout, wherever it was started from."""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def module_command(module: str, *args: str) -> list[str]:
    """Run with `cwd=PROJECT_DIR`, so `-m` finds the module in this checkout."""
    return [sys.executable, "-m", module, *args]
