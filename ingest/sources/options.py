"""What a user can say about a source besides its address."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SOURCE = "https://s3-ap-southeast-1.amazonaws.com/tgr-hire-devops-test/crypto/01-data-ingestion/"
"""The seed bucket's public prefix, written the way its owner published it."""


@dataclass(frozen=True)
class SourceOptions:
    """Flags that change how a source is reached, not which one it is."""

    no_sign_request: bool = False
    """Read an S3 bucket anonymously, as `aws s3 --no-sign-request` does."""
    region: str | None = None
    """S3 region; `None` leaves it to boto3's own chain (AWS_REGION, AWS_DEFAULT_REGION, config file)."""
