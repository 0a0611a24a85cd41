"""The AWS environment the checks run in: fake credentials, one region, nothing from the developer's own setup."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from reliability import REPOSITORY

REGION = "us-east-1"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def isolated_variables(region: str = REGION, credentials: Mapping[str, str] = FAKE_CREDENTIALS) -> dict[str, str]:
    """`AWS_*` variables that leave the standard chain nothing but `credentials` and `region`: no profile, no
    config or credentials file, no instance metadata, so no check can reach a real account."""
    return {
        **credentials,
        "AWS_DEFAULT_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@contextmanager
def aws_environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Exactly `variables` as the process's `AWS_*` variables for the block, the previous ones back afterwards
    (the environment is process-wide: checks run one at a time)."""
    saved = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
    _replace(variables)
    try:
        yield
    finally:
        _replace(saved)


def _replace(variables: Mapping[str, str]) -> None:
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(variables)


def child_environment(aws: Mapping[str, str]) -> dict[str, str]:
    """For `python -m ingest ...` in a child process: this environment without its `AWS_*` variables, then `aws`,
    and the repository first on PYTHONPATH (an existing PYTHONPATH is kept after it)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(aws)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    return env
