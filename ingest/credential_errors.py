"""Which AWS errors mean "fix your credentials or region" (exit 2) rather than "the run broke" (exit 1), worded
as one line. `publish` judges Kinesis's errors (and the publisher's abort) with it, `verify` S3's."""

from __future__ import annotations

from botocore.exceptions import (
    ClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

from ingest.publishing import PublishAbortedError

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
