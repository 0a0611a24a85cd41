"""Reading `Pulumi.<stack>.yaml` without the Pulumi engine, so the local stack provisions what a stack declares.

The files live in a checkout of the project (an installed package has none); the table that turns their values
into `TrackingPipelineArgs` is `components.core.stack_config`, shared with the Pulumi program.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.core.stack_config import PROJECT, StackConfigError

PROJECT_DIR = Path(__file__).resolve().parents[2]
"""The checkout's root, where `Pulumi.yaml` and `Pulumi.<stack>.yaml` live."""


def _stack_document(stack: str, project_dir: Path) -> dict[str, Any]:
    path = project_dir / f"Pulumi.{stack}.yaml"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise StackConfigError(
            f"{path} does not exist: the stack files live in a checkout of {PROJECT} (run this from one)"
        ) from None
    except (OSError, yaml.YAMLError) as exc:
        raise StackConfigError(f"cannot read {path}: {exc}") from None
    if not isinstance(document, dict):
        raise StackConfigError(f"{path}: expected a YAML mapping")
    return document


def read_stack_file(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, object]:
    """The project's values from `Pulumi.<stack>.yaml`, for tools that run without the Pulumi engine."""
    config = _stack_document(stack, project_dir).get("config") or {}
    prefix = f"{PROJECT}:"
    return {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}


def stack_region(stack: str, project_dir: Path = PROJECT_DIR) -> str | None:
    """`aws:region` of a stack file, so local tools use the region the stack deploys to."""
    region = (_stack_document(stack, project_dir).get("config") or {}).get("aws:region")
    return region if isinstance(region, str) else None
