"""Fixtures every test package shares: the AWS environment and moto's server. The helpers behind them (for a
child process's environment, or a module-scoped setup) are in tests/aws_env.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from tests.aws_env import use_fake_aws

REGION = "us-east-1"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and a region; nothing from the developer's own AWS setup leaks in."""
    use_fake_aws(monkeypatch, tmp_path, region=REGION)


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """moto's server on a free loopback port, one per test module; yields its endpoint URL and stops it whatever
    happens. Each test makes its own resources in it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
