"""The ingest job's resource types: SQS, DynamoDB, Lambda function URLs. One compliant case, then one change each."""

from __future__ import annotations

import policies
from harness import check_resource

QUEUE = {"sqsManagedSseEnabled": True, "visibilityTimeoutSeconds": 1800}
TABLE = {"pointInTimeRecovery": {"enabled": True}, "serverSideEncryption": {"enabled": True}, "hashKey": "object_uri"}


KEY = "arn:aws:kms:ap-southeast-1:123456789012:key/1"
FUNCTION = {"runtime": "python3.12", "tracingConfig": {"mode": "Active"}}


def test_an_sse_queue_passes_and_so_does_one_with_a_customer_key():
    assert check_resource(policies.sqs_queue_encrypted, policies.QUEUE_TYPE, QUEUE) == []
    with_key = {"kmsMasterKeyId": KEY, "visibilityTimeoutSeconds": 1800}
    assert check_resource(policies.sqs_queue_encrypted, policies.QUEUE_TYPE, with_key) == []


def test_a_customer_key_next_to_the_sse_flag_fails_even_when_the_flag_is_false():
    """The provider declares the pair ConflictsWith: an explicit false counts as set."""
    for flag in (False, True):
        props = {"kmsMasterKeyId": KEY, "sqsManagedSseEnabled": flag}
        [message] = check_resource(policies.sqs_queue_encrypted, policies.QUEUE_TYPE, props)
        assert "leave sqsManagedSseEnabled unset" in message


def test_a_traced_function_passes():
    assert check_resource(policies.lambda_function_traced, policies.FUNCTION_TYPE, FUNCTION) == []


def test_an_untraced_function_fails():
    for props in ({**FUNCTION, "tracingConfig": {"mode": "PassThrough"}}, {"runtime": "python3.12"}):
        [message] = check_resource(policies.lambda_function_traced, policies.FUNCTION_TYPE, props)
        assert "tracingConfig.mode" in message


def test_an_unencrypted_queue_fails():
    [message] = check_resource(
        policies.sqs_queue_encrypted, policies.QUEUE_TYPE, {**QUEUE, "sqsManagedSseEnabled": False}
    )
    assert "not encrypted" in message


def test_a_recoverable_encrypted_table_passes():
    assert check_resource(policies.dynamodb_table_recoverable, policies.TABLE_TYPE, TABLE) == []


def test_a_table_without_point_in_time_recovery_fails():
    props = {**TABLE, "pointInTimeRecovery": {"enabled": False}}
    [message] = check_resource(policies.dynamodb_table_recoverable, policies.TABLE_TYPE, props)
    assert "point-in-time recovery" in message


def test_a_table_without_declared_encryption_fails():
    props = {key: value for key, value in TABLE.items() if key != "serverSideEncryption"}
    [message] = check_resource(policies.dynamodb_table_recoverable, policies.TABLE_TYPE, props)
    assert "serverSideEncryption" in message


def test_an_iam_function_url_passes_and_a_public_one_fails():
    assert (
        check_resource(policies.lambda_no_public_url, policies.FUNCTION_URL_TYPE, {"authorizationType": "AWS_IAM"})
        == []
    )
    [message] = check_resource(policies.lambda_no_public_url, policies.FUNCTION_URL_TYPE, {"authorizationType": "NONE"})
    assert "anyone" in message
