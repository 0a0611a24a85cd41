"""Building boto3 clients, with the one setup mistake botocore reports as a bare ValueError turned into a
configuration error (exit 2, one line) instead of a traceback."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from ingest.errors import ConfigurationError


def aws_client(service: str, *, region: str | None, config: Config) -> Any:
    """A client from the standard credential chain; `AWS_ENDPOINT_URL` (e.g. a local emulator) is honoured."""
    try:
        return boto3.session.Session().client(service, region_name=region, config=config)
    except ValueError as exc:  # botocore: "Invalid endpoint: <url>" from a malformed AWS_ENDPOINT_URL
        raise ConfigurationError(f"cannot create the {service} client: {exc}") from None
