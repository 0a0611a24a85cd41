"""The embedded AWS emulator: moto's server on a free loopback port, for the local demo and its tests.

The demo's own setup (seeding, provisioning, the Firehose stand-in) uses clients bound to the emulator
explicitly. The code paths under test (`publish`, `verify`) build their clients from the standard chain, as
they do against AWS; `emulator_environment` points that chain at the emulator for as long as it is needed.

moto keeps its state in process-wide backends shared by every moto server and `mock_aws` in the process, so
the emulator starts from an empty state and leaves one behind (moto's `/moto-api/reset` endpoint).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import boto3
import botocore.session
import requests
from moto.server import ThreadedMotoServer

from ingest.clients import client_config
from ingest.local.stack_file import stack_region

LOOPBACK = "127.0.0.1"
DEMO_STACK = "dev"
"""The stack whose region (and, in `provision`, whose settings) the local pipeline copies."""
FAKE_ACCESS_KEY_ID = "testing"
FAKE_SECRET_ACCESS_KEY = "testing"
_RESET_TIMEOUT_SECONDS = 10
_FALLBACK_REGION = "us-east-1"
_NO_PROFILE_OR_FILES = {
    # botocore's (config file key, environment variables, default, converter), with the environment left out.
    "profile": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}


def default_region() -> str:
    """The dev stack's region, so names, ARNs and S3 location constraints look like the dev stack's."""
    return stack_region(DEMO_STACK) or _FALLBACK_REGION


@dataclass(frozen=True)
class Emulator:
    """A running emulator: where it listens, and clients bound to it with fake credentials."""

    endpoint_url: str
    region: str

    @cached_property
    def session(self) -> boto3.session.Session:
        """One session for all the emulator's clients (it caches the service models: each new session would load
        them again). Independent of the process environment: a developer's AWS_PROFILE or config file (which may
        name a profile that does not exist, or endpoints of its own) must not leak into the emulator's clients."""
        core = botocore.session.Session(session_vars=_NO_PROFILE_OR_FILES)
        return boto3.session.Session(
            aws_access_key_id=FAKE_ACCESS_KEY_ID,
            aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
            region_name=self.region,
            botocore_session=core,
        )

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint_url, config=client_config())

    def reset(self) -> None:
        """Forget every resource (moto's `/moto-api/reset`): what tests sharing one emulator do between tests."""
        response = requests.post(f"{self.endpoint_url}/moto-api/reset", timeout=_RESET_TIMEOUT_SECONDS)
        response.raise_for_status()

    def environment(self) -> dict[str, str]:
        """The `AWS_*` variables that send the standard chain here and nowhere else: fake credentials, no
        profile, config or credentials file, no instance metadata, so nothing can reach a real account."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }


@contextmanager
def running_emulator(region: str | None = None) -> Iterator[Emulator]:
    """Start moto's server on 127.0.0.1 and a port the OS picks; it stops when the block ends, however it ends
    (an exception, Ctrl-C)."""
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
    with _quiet_request_log():
        server.start()
        try:
            host, port = server.get_host_and_port()
            emulator = Emulator(endpoint_url=f"http://{host}:{port}", region=region or default_region())
            emulator.reset()
            try:
                yield emulator
            finally:
                emulator.reset()
        finally:
            server.stop()


@contextmanager
def emulator_environment(emulator: Emulator) -> Iterator[None]:
    """Replace every `AWS_*` variable of this process by `emulator.environment()` for the block, then put
    the previous ones back exactly (the process environment is global: keep the block short)."""
    saved = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
    _replace_aws_variables(emulator.environment())
    try:
        yield
    finally:
        _replace_aws_variables(saved)


def _replace_aws_variables(values: dict[str, str]) -> None:
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(values)


@contextmanager
def _quiet_request_log() -> Iterator[None]:
    """werkzeug, under moto's server, logs every request on stderr; the demo's output is its own summary."""
    logger = logging.getLogger("werkzeug")
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)
