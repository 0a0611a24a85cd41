"""The stack outputs a smoke test needs, from `pulumi stack output --json` or from a file holding that JSON.

The file form is for CI jobs that run `pulumi` in an earlier step (or another container) and for local
emulators, where there is no stack at all.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.core.stack_outputs import (
    BUCKET_NAME,
    BUFFERING_INTERVAL_SECONDS,
    DELIVERY_PREFIX,
    ERROR_PREFIX,
    REGION,
    STREAM_NAME,
)
from ingest.errors import ConfigurationError

REQUIRED_KEYS = tuple(output.key for output in (STREAM_NAME, BUCKET_NAME, DELIVERY_PREFIX, ERROR_PREFIX, REGION))
PULUMI_TIMEOUT_SECONDS = 120

Runner = Callable[..., subprocess.CompletedProcess[str]]


@dataclass(frozen=True)
class StackOutputs:
    stream_name: str
    bucket_name: str
    delivery_prefix: str
    error_prefix: str
    region: str
    buffering_interval_seconds: int | None
    """Optional: stacks deployed before the output existed lack it, and the default timeout then assumes the
    component's default interval."""
    origin: str
    """Where the outputs came from, for messages ("stack dev", "outputs.json")."""

    @classmethod
    def from_mapping(cls, outputs: object, origin: str) -> StackOutputs:
        if not isinstance(outputs, Mapping):
            raise ConfigurationError(f"{origin}: expected a JSON object of stack outputs")
        missing = [key for key in REQUIRED_KEYS if not isinstance(outputs.get(key), str) or not outputs[key]]
        if missing:
            raise ConfigurationError(f"{origin} lacks the output(s) {', '.join(missing)}")
        interval = outputs.get(BUFFERING_INTERVAL_SECONDS.key)
        if interval is not None and (isinstance(interval, bool) or not isinstance(interval, int)):
            raise ConfigurationError(f"{origin}: {BUFFERING_INTERVAL_SECONDS.key} must be an integer, got {interval!r}")
        return cls(
            stream_name=outputs[STREAM_NAME.key],
            bucket_name=outputs[BUCKET_NAME.key],
            delivery_prefix=outputs[DELIVERY_PREFIX.key],
            error_prefix=outputs[ERROR_PREFIX.key],
            region=outputs[REGION.key],
            buffering_interval_seconds=interval,
            origin=origin,
        )


def read_outputs_file(path: Path) -> StackOutputs:
    return StackOutputs.from_mapping(outputs_file_document(path), str(path))


def outputs_file_document(path: Path) -> Any:
    """The JSON a file of `pulumi stack output --json` holds, for commands that read other keys than smoke's."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read outputs file {path}: {exc.strerror or exc}") from None
    return _json(text, str(path))


def pulumi_stack_outputs(
    stack: str, *, run: Runner = subprocess.run, which: Callable[[str], str | None] = shutil.which
) -> StackOutputs:
    return StackOutputs.from_mapping(stack_output_document(stack, run=run, which=which), f"stack {stack}")


def stack_output_document(
    stack: str, *, run: Runner = subprocess.run, which: Callable[[str], str | None] = shutil.which
) -> Any:
    """Run `pulumi stack output --json --stack NAME` in the current directory (the Pulumi project)."""
    pulumi = which("pulumi")
    if pulumi is None:
        raise ConfigurationError(
            "the pulumi CLI is not on PATH; install it, or pass --outputs FILE holding `pulumi stack output --json`"
        )
    command = [pulumi, "stack", "output", "--json", "--stack", stack]
    try:
        done = run(command, capture_output=True, text=True, timeout=PULUMI_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise ConfigurationError(f"`pulumi stack output` did not answer within {PULUMI_TIMEOUT_SECONDS} s") from None
    except OSError as exc:
        raise ConfigurationError(f"cannot run {pulumi}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        lines = [line.strip() for line in (done.stderr or done.stdout or "").splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit status {done.returncode}"
        raise ConfigurationError(f"`pulumi stack output --stack {stack}` failed: {detail}")
    return _json(done.stdout, f"stack {stack}")


def _json(text: str, origin: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{origin}: not JSON ({exc})") from None
