"""The ingest job's resource types: SQS, DynamoDB, Lambda function URLs. One compliant case, then one change each."""

from __future__ import annotations

import policies
from harness import check_resource

QUEUE = {"sqsManagedSseEnabled": True, "visibilityTimeoutSeconds": 1800}
TABLE = {"pointInTimeRecovery": {"enabled": True}, "serverSideEncryption": {"enabled": True}, "hashKey": "object_uri"}


def test_an_sse_queue_passes_and_so_does_one_with_a_customer_key():
    assert check_resource(policies.sqs_queue_encrypted, policies.QUEUE_TYPE, QUEUE) == []
    with_key = {"kmsMasterKeyId": "arn:aws:kms:ap-southeast-1:123456789012:key/1", "sqsManagedSseEnabled": False}
    assert check_resource(policies.sqs_queue_encrypted, policies.QUEUE_TYPE, with_key) == []


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
