"""Reliability checks of the ingest path: a bad-input corpus, injected faults, a load run and security checks.

`python -m reliability` runs the corpus, the fault scenarios and the security checks against moto (in-process
and moto's server) and prints the table of docs/reliability.md; `python -m reliability load --records N`
pushes N generated records through the local emulator end to end. The tests in `tests/reliability/` call the
same functions, so the table and the test suite cannot disagree.
"""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
"""The repository root: the corpus, the IAM lint test and the package sources are read from it."""
