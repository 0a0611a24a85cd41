"""The S3 client a check uses, and which S3 failures mean "fix your setup" (exit 2) rather than "the check
broke" (exit 1)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ingest.clients import aws_client, client_config
from ingest.credential_errors import CREDENTIAL_ERROR_CODES, credential_problem
from ingest.errors import ConfigurationError, IngestError

_SETUP_CODES = CREDENTIAL_ERROR_CODES | {"NoSuchBucket", "InvalidBucketName", "AllAccessDisabled", "PermanentRedirect"}


class DeliveryCheckError(IngestError):
    """Reading the bucket failed part-way, after botocore's retries: the check could not finish (exit 1)."""


def s3_client(region: str | None) -> Any:
    """Built per check with the settings every client shares; `AWS_ENDPOINT_URL` applies."""
    return aws_client("s3", region=region, config=client_config())


def s3_problem(exc: BotoCoreError | ClientError, location: str) -> IngestError:
    """The error to raise for a failed S3 call on `location` (`s3://bucket/prefix`)."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", "")
        if code == "NoSuchBucket":
            return ConfigurationError(f"cannot read {location}: the bucket does not exist")
        if code in _SETUP_CODES:
            return ConfigurationError(f"cannot read {location}: {code}: {message}".rstrip(": "))
    problem = credential_problem(exc)
    if problem is not None:
        return ConfigurationError(problem)
    return DeliveryCheckError(f"cannot read {location}: {exc}")
