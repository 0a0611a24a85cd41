import types

import pytest
from botocore.exceptions import NoCredentialsError

from ingest.errors import ConfigurationError
from ingest.publishing import describe_stream

SUMMARY = {
    "StreamName": "s",
    "StreamARN": "arn:aws:kinesis:ap-southeast-1:123456789012:stream/s",
    "StreamStatus": "ACTIVE",
    "OpenShardCount": 2,
    "StreamModeDetails": {"StreamMode": "PROVISIONED"},
    "EncryptionType": "KMS",
}


class DescribingClient:
    meta = types.SimpleNamespace(region_name="ap-southeast-1")

    def __init__(self, answer):
        self.answer = answer
        self.asked = []

    def describe_stream_summary(self, **stream):
        self.asked.append(stream)
        if isinstance(self.answer, Exception):
            raise self.answer
        return {"StreamDescriptionSummary": self.answer}


def test_a_writable_stream_is_described():
    client = DescribingClient({**SUMMARY, "StreamStatus": "UPDATING"})
    description = describe_stream(client, "s")
    assert (description.status, description.open_shard_count, description.encryption_type) == (
        "UPDATING",
        2,
        "KMS",
    )
    assert client.asked == [{"StreamName": "s"}]
    describe_stream(client, SUMMARY["StreamARN"])
    assert client.asked[-1] == {"StreamARN": SUMMARY["StreamARN"]}


@pytest.mark.parametrize("status", ["CREATING", "DELETING"])
def test_a_stream_that_cannot_take_records_is_a_configuration_error(status):
    with pytest.raises(ConfigurationError, match=f"Kinesis stream 's' is {status}, not ACTIVE"):
        describe_stream(DescribingClient({**SUMMARY, "StreamStatus": status}), "s")


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ("ExpiredTokenException", "ExpiredTokenException"),
        ("AccessDeniedException", "AccessDeniedException"),
        (NoCredentialsError(), "NoCredentialsError: Unable to locate credentials"),
    ],
)
def test_refused_credentials_are_a_one_line_configuration_error(client_error, error, message):
    exception = client_error(error, "DescribeStreamSummary") if isinstance(error, str) else error
    with pytest.raises(ConfigurationError) as caught:
        describe_stream(DescribingClient(exception), "s")
    assert str(caught.value).startswith("cannot describe Kinesis stream 's' in ap-southeast-1: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
