"""Check the target stream before publishing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ingest.errors import ConfigurationError
from ingest.publishing.call_errors import error_code, error_message

WRITABLE_STATUSES = frozenset({"ACTIVE", "UPDATING"})


@dataclass(frozen=True)
class StreamDescription:
    name: str
    arn: str
    status: str
    open_shard_count: int
    stream_mode: str
    encryption_type: str


def stream_parameter(stream: str) -> dict[str, str]:
    """Kinesis APIs take a stream by name or by ARN; stack outputs usually give the ARN."""
    return {"StreamARN": stream} if stream.startswith("arn:") else {"StreamName": stream}


def describe_stream(client: Any, stream_name: str) -> StreamDescription:
    """Fail before reading any source when the stream cannot take records: a missing stream, refused
    credentials or a stream being created or deleted are configuration problems (exit status 2)."""
    region = getattr(getattr(client, "meta", None), "region_name", None) or "the configured region"
    try:
        summary = client.describe_stream_summary(**stream_parameter(stream_name))["StreamDescriptionSummary"]
    except (ClientError, BotoCoreError) as exc:
        code = error_code(exc)
        if code == "ResourceNotFoundException":
            raise ConfigurationError(f"Kinesis stream {stream_name!r} does not exist in {region}") from None
        raise ConfigurationError(
            f"cannot describe Kinesis stream {stream_name!r} in {region}: {code}: {error_message(exc)}"
        ) from None
    description = StreamDescription(
        name=summary["StreamName"],
        arn=summary["StreamARN"],
        status=summary["StreamStatus"],
        open_shard_count=int(summary.get("OpenShardCount", 0)),
        stream_mode=summary.get("StreamModeDetails", {}).get("StreamMode", "PROVISIONED"),
        encryption_type=summary.get("EncryptionType", "NONE"),
    )
    if description.status not in WRITABLE_STATUSES:
        raise ConfigurationError(f"Kinesis stream {stream_name!r} is {description.status}, not ACTIVE")
    return description
