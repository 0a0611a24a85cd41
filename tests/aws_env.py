"""The AWS environment every test runs AWS code in: fake credentials, nothing from the developer's own setup,
and a child process's environment pointed at moto's server (the `aws_env` and `moto_server` fixtures are in
tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
LEAKY_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_KINESIS",
    "AWS_ENDPOINT_URL_FIREHOSE",
)


def isolated_aws_variables(home: Path) -> dict[str, str]:
    """Point the credential chain at files that do not exist and switch off instance metadata, so only what a
    test sets explicitly can be used."""
    return {
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def use_isolated_aws(monkeypatch: pytest.MonkeyPatch, home: Path, *, region: str | None) -> None:
    """In-process: no credentials at all (unless the test adds them), and `region` if given."""
    for name in LEAKY_VARIABLES + ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in isolated_aws_variables(home).items():
        monkeypatch.setenv(name, value)
    if region is not None:
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)


def use_fake_aws(monkeypatch: pytest.MonkeyPatch, home: Path, *, region: str) -> None:
    """In-process: the fake credentials moto accepts, in `region`."""
    use_isolated_aws(monkeypatch, home, region=region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def subprocess_environment(endpoint: str, home: Path, *, region: str | None = None) -> dict[str, str]:
    """For `python -m ingest ...` in a child process: the emulator, fake credentials, the repository on the path."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_ENDPOINT_URL=endpoint,
        PYTHONPATH=str(REPOSITORY),
        HOME=str(home),
        **isolated_aws_variables(home),
    )
    if region is not None:
        env["AWS_DEFAULT_REGION"] = region
    return env
