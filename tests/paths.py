"""Files the tests read that are not the code under test, all inside this repository: the tests must run from a
checkout alone, in CI and on any machine."""

from __future__ import annotations

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
PULUMI_PROJECT_SCHEMA = TESTS_DIR / "schemas" / "pulumi-project.schema.json"
"""Pulumi's JSON Schema for Pulumi.yaml, vendored: tests/schemas/README.md says where it comes from."""
