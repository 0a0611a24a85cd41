"""The AWS clients the tool builds, and the one set of settings they share.

Every client (Kinesis for `publish`; S3 for sources and `verify`; SQS, DynamoDB, S3 and Lambda for the job) is
built here with `client_config()`, so a timeout or the retry mode changes in one place. A malformed
`AWS_ENDPOINT_URL`, which botocore reports as a bare ValueError, becomes a configuration error (exit 2, one line)
instead of a traceback.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from ingest.errors import ConfigurationError


def client_config(*, max_attempts: int = 3, connect_timeout: float = 5, read_timeout: float = 30) -> Config:
    """Standard retry mode for transport errors and throttled calls (the default "legacy" mode retries fewer
    errors: https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html), and a timeout on every
    network call."""
    return Config(
        retries={"mode": "standard", "max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


def aws_client(service: str, *, region: str | None, config: Config) -> Any:
    """A client from the standard credential chain; `AWS_ENDPOINT_URL` (e.g. a local emulator) is honoured."""
    try:
        return boto3.session.Session().client(service, region_name=region, config=config)
    except ValueError as exc:  # botocore: "Invalid endpoint: <url>" from a malformed AWS_ENDPOINT_URL
        raise ConfigurationError(f"cannot create the {service} client: {exc}") from None


def kinesis_client(region: str | None = None) -> Any:
    """The client a publish run is given (built once per run). Raises botocore's NoRegionError when neither
    `region` nor the environment names one."""
    return aws_client("kinesis", region=region, config=client_config())
