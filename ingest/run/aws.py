"""The Kinesis client a run uses, and which AWS errors mean "fix your setup" rather than "the run broke".

The client is built once per run with the publisher's `client_config()` (standard retry mode, timeouts)
and passed in to everything that calls Kinesis. The standard chain resolves credentials, region and
`AWS_ENDPOINT_URL`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import (
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from ingest.clients import aws_client
from ingest.publishing import PublishAbortedError, client_config

CREDENTIAL_ERROR_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "MissingAuthenticationToken",
        "UnrecognizedClientException",
    }
)


def kinesis_client(region: str | None = None) -> Any:
    """Raises botocore's NoRegionError when neither `region` nor the environment names one."""
    return aws_client("kinesis", region=region, config=client_config())


def credential_problem(exc: BaseException) -> str | None:
    """A one-line explanation when `exc` says the credentials or region are missing, expired or denied."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError | ProfileNotFound):
        return f"AWS credentials: {exc}"
    if isinstance(exc, NoRegionError):
        return "no AWS region: pass --region or set AWS_REGION / AWS_DEFAULT_REGION"
    if isinstance(exc, PublishAbortedError) and exc.error_code in CREDENTIAL_ERROR_CODES:
        return f"AWS refused the credentials while publishing ({exc.error_code})"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "")
        if code in CREDENTIAL_ERROR_CODES:
            message = error.get("Message")
            return (
                f"AWS refused the credentials ({code}): {message}"
                if message
                else f"AWS refused the credentials ({code})"
            )
    return None
