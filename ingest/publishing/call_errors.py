"""A failed AWS call as its code, its message and a type: what the publisher's retry decisions check.

Whether a code is worth retrying is the shared policy's (`ingest.retry`); this module turns botocore's exceptions
into the code and message that policy and the run's report speak, and a whole PutRecords call's failure into
`RetryableCallError` or `FailedCallError`, so retry code checks a type, never a message.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from ingest.errors import RetryableError, TerminalError
from ingest.retry import RetryPolicy


def error_code(error: ClientError | BotoCoreError) -> str:
    """The service's error code, or the botocore exception's class name for errors that never got a reply."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code") or "Unknown")
    return type(error).__name__


def error_message(error: ClientError | BotoCoreError) -> str:
    """The error's own words on one line, without botocore's "An error occurred (...)" framing."""
    text = str(error.response.get("Error", {}).get("Message") or "") if isinstance(error, ClientError) else str(error)
    return " ".join(text.split()) or error_code(error)


class RetryableCallError(RetryableError):
    """A whole PutRecords call failed in a way that waiting may fix (allow-listed code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class FailedCallError(TerminalError):
    """A whole PutRecords call failed for good: a code off the allow-list, or the retry budget spent."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def classify(error: ClientError | BotoCoreError, policy: RetryPolicy) -> RetryableCallError | FailedCallError:
    """The call's failure as a type the retry code checks (`isinstance(..., RetryableError)`), never a message."""
    code = error_code(error)
    kind = RetryableCallError if policy.is_retryable(code) else FailedCallError
    return kind(code, error_message(error))
