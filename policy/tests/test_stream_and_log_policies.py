"""Kinesis, Firehose and CloudWatch Logs policies: one compliant resource, then one changed field per rule."""

from __future__ import annotations

import copy
from typing import Any

import policies
import pytest
from harness import check_resource

STREAM = {"encryptionType": "KMS", "kmsKeyId": "alias/aws/kinesis", "retentionPeriod": 48}
DELIVERY: dict[str, Any] = {
    "destination": "extended_s3",
    "extendedS3Configuration": {
        "bucketArn": "arn:aws:s3:::tracking-bucket-e99e974",
        "compressionFormat": "GZIP",
        "prefix": "crypto/year=!{timestamp:yyyy}/",
        "errorOutputPrefix": "errors/!{firehose:error-output-type}/",
    },
}


def delivery(**s3_changes: Any) -> dict[str, Any]:
    props = copy.deepcopy(DELIVERY)
    for key, value in s3_changes.items():
        if value is None:
            props["extendedS3Configuration"].pop(key, None)
        else:
            props["extendedS3Configuration"][key] = value
    return props


# --- Kinesis stream -------------------------------------------------------------------------------------------


def test_kms_encrypted_stream_passes():
    assert check_resource(policies.kinesis_stream_encrypted, policies.STREAM_TYPE, STREAM) == []


def test_unencrypted_stream_fails():
    [message] = check_resource(
        policies.kinesis_stream_encrypted, policies.STREAM_TYPE, {**STREAM, "encryptionType": "NONE"}
    )
    assert "encryptionType to KMS" in message


def test_kms_stream_without_a_key_fails():
    props = {key: value for key, value in STREAM.items() if key != "kmsKeyId"}
    [message] = check_resource(policies.kinesis_stream_encrypted, policies.STREAM_TYPE, props)
    assert "kmsKeyId" in message


# --- Firehose to S3 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", [policies.firehose_s3_compressed, policies.firehose_s3_error_prefix])
def test_compressed_delivery_with_an_error_prefix_passes(policy):
    assert check_resource(policy, policies.DELIVERY_STREAM_TYPE, DELIVERY) == []


@pytest.mark.parametrize("compression", ["UNCOMPRESSED", None])
def test_uncompressed_delivery_fails(compression):
    props = delivery(compressionFormat=compression)
    [message] = check_resource(policies.firehose_s3_compressed, policies.DELIVERY_STREAM_TYPE, props)
    assert "compressionFormat" in message


def test_parquet_conversion_may_leave_compression_to_the_serializer():
    props = delivery(compressionFormat="UNCOMPRESSED", dataFormatConversionConfiguration={"enabled": True})
    assert check_resource(policies.firehose_s3_compressed, policies.DELIVERY_STREAM_TYPE, props) == []


def test_disabled_conversion_does_not_excuse_uncompressed_delivery():
    props = delivery(compressionFormat="UNCOMPRESSED", dataFormatConversionConfiguration={"enabled": False})
    assert check_resource(policies.firehose_s3_compressed, policies.DELIVERY_STREAM_TYPE, props)


@pytest.mark.parametrize("prefix", ["", None])
def test_delivery_without_an_error_prefix_fails(prefix):
    props = delivery(errorOutputPrefix=prefix)
    [message] = check_resource(policies.firehose_s3_error_prefix, policies.DELIVERY_STREAM_TYPE, props)
    assert "errorOutputPrefix" in message


def test_extended_s3_destination_without_its_settings_fails_both_rules():
    props = {"destination": "extended_s3"}
    assert check_resource(policies.firehose_s3_compressed, policies.DELIVERY_STREAM_TYPE, props)
    assert check_resource(policies.firehose_s3_error_prefix, policies.DELIVERY_STREAM_TYPE, props)


def test_non_s3_destinations_are_not_judged_by_the_s3_rules():
    props = {"destination": "http_endpoint", "httpEndpointConfiguration": {"url": "https://example.com"}}
    assert check_resource(policies.firehose_s3_compressed, policies.DELIVERY_STREAM_TYPE, props) == []
    assert check_resource(policies.firehose_s3_error_prefix, policies.DELIVERY_STREAM_TYPE, props) == []


# --- CloudWatch log group -------------------------------------------------------------------------------------


def test_log_group_with_retention_passes():
    assert check_resource(policies.log_group_retention, policies.LOG_GROUP_TYPE, {"retentionInDays": 14}) == []


@pytest.mark.parametrize("props", [{}, {"retentionInDays": 0}], ids=["unset", "never-expire"])
def test_log_group_keeping_events_forever_fails(props):
    [message] = check_resource(policies.log_group_retention, policies.LOG_GROUP_TYPE, props)
    assert "retentionInDays" in message
