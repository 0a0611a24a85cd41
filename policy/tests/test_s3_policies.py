"""S3 resource policies: a compliant resource passes, and changing one field breaks exactly one rule."""

from __future__ import annotations

import copy
import json
from typing import Any

import policies
import pytest
from harness import check_resource

PUBLIC_ACCESS_BLOCK = {
    "bucket": "tracking-bucket-e99e974",
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}
ENCRYPTION_TYPE = policies.ENCRYPTION_TYPES[0]
VERSIONING_TYPE = policies.VERSIONING_TYPES[0]
BUCKET_ARN = "arn:aws:s3:::tracking-bucket-e99e974"
TLS_ONLY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def encryption(algorithm: str | None) -> dict[str, Any]:
    default = {} if algorithm is None else {"sseAlgorithm": algorithm}
    return {"bucket": "b", "rules": [{"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": False}]}


def bucket_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"bucket": "b", "policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def tls_statement(**changes: Any) -> dict[str, Any]:
    statement = copy.deepcopy(TLS_ONLY)
    statement.update(changes)
    return statement


def versioning(status: str) -> dict[str, Any]:
    return {"bucket": "b", "versioningConfiguration": {"status": status}}


# --- public access block --------------------------------------------------------------------------------------


def test_public_access_block_with_all_four_settings_on_passes():
    assert (
        check_resource(policies.s3_public_access_blocked, policies.PUBLIC_ACCESS_BLOCK_TYPE, PUBLIC_ACCESS_BLOCK) == []
    )


@pytest.mark.parametrize("flag", policies.PUBLIC_ACCESS_FLAGS)
def test_public_access_block_with_one_setting_off_names_it(flag):
    props = {**PUBLIC_ACCESS_BLOCK, flag: False}
    [message] = check_resource(policies.s3_public_access_blocked, policies.PUBLIC_ACCESS_BLOCK_TYPE, props)
    assert f"set {flag} to true" in message


def test_public_access_block_setting_left_unset_counts_as_off():
    props = {key: value for key, value in PUBLIC_ACCESS_BLOCK.items() if key != "restrictPublicBuckets"}
    [message] = check_resource(policies.s3_public_access_blocked, policies.PUBLIC_ACCESS_BLOCK_TYPE, props)
    assert "restrictPublicBuckets" in message


def test_public_access_policy_ignores_other_resource_types():
    assert check_resource(policies.s3_public_access_blocked, "aws:s3/bucket:Bucket", {"blockPublicAcls": False}) == []


# --- default encryption ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["AES256", "aws:kms"])
def test_sse_s3_and_sse_kms_pass(algorithm):
    assert check_resource(policies.s3_bucket_encrypted, ENCRYPTION_TYPE, encryption(algorithm)) == []


def test_deprecated_v2_encryption_resource_is_checked_too():
    v2 = policies.ENCRYPTION_TYPES[1]
    assert check_resource(policies.s3_bucket_encrypted, v2, encryption(None))


def test_encryption_rule_without_an_algorithm_fails():
    [message] = check_resource(policies.s3_bucket_encrypted, ENCRYPTION_TYPE, encryption(None))
    assert "None" in message


def test_encryption_configuration_without_rules_fails():
    [message] = check_resource(policies.s3_bucket_encrypted, ENCRYPTION_TYPE, {"bucket": "b", "rules": []})
    assert "no rule" in message


# --- TLS-only bucket policy -----------------------------------------------------------------------------------


def test_bucket_policy_denying_insecure_transport_passes():
    assert check_resource(policies.s3_tls_only, policies.BUCKET_POLICY_TYPE, bucket_policy(TLS_ONLY)) == []


def test_bucket_policy_given_as_an_object_and_aws_star_principal_passes():
    props = {"bucket": "b", "policy": {"Version": "2012-10-17", "Statement": tls_statement(Principal={"AWS": "*"})}}
    assert check_resource(policies.s3_tls_only, policies.BUCKET_POLICY_TYPE, props) == []


@pytest.mark.parametrize(
    "change",
    [
        {"Effect": "Allow"},
        {"Principal": {"AWS": "arn:aws:iam::123456789012:root"}},
        {"Action": "s3:GetObject"},
        {"Resource": [BUCKET_ARN]},
        {"Resource": [f"{BUCKET_ARN}/*"]},
        {"Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Condition": {"StringEquals": {"aws:SecureTransport": "false"}}},
    ],
    ids=["allow", "one-account", "one-action", "bucket-only", "objects-only", "secure-true", "not-bool"],
)
def test_bucket_policy_whose_tls_statement_misses_one_part_fails(change):
    [message] = check_resource(
        policies.s3_tls_only, policies.BUCKET_POLICY_TYPE, bucket_policy(tls_statement(**change))
    )
    assert "aws:SecureTransport" in message


def test_bucket_policy_without_a_tls_statement_fails():
    grant = {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject"}
    assert check_resource(policies.s3_tls_only, policies.BUCKET_POLICY_TYPE, bucket_policy(grant))


def test_bucket_policy_that_is_not_json_fails():
    [message] = check_resource(policies.s3_tls_only, policies.BUCKET_POLICY_TYPE, {"bucket": "b", "policy": "{not"})
    assert "not a JSON policy document" in message


# --- versioning -----------------------------------------------------------------------------------------------


def test_enabled_versioning_passes_in_prod(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "prod")
    assert check_resource(policies.s3_versioning_enabled, VERSIONING_TYPE, versioning("Enabled")) == []


def test_suspended_versioning_fails_in_prod(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "prod")
    [message] = check_resource(policies.s3_versioning_enabled, VERSIONING_TYPE, versioning("Suspended"))
    assert "'Suspended' in stack 'prod'" in message


def test_suspended_versioning_is_allowed_in_dev(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "dev")
    assert check_resource(policies.s3_versioning_enabled, VERSIONING_TYPE, versioning("Suspended")) == []


def test_fully_qualified_stack_name_is_matched_by_its_last_part(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "acme/tracking-pipeline/dev")
    assert check_resource(policies.s3_versioning_enabled, VERSIONING_TYPE, versioning("Suspended")) == []


def test_unknown_stack_is_not_exempt():
    assert check_resource(policies.s3_versioning_enabled, VERSIONING_TYPE, versioning("Suspended"))


def test_policy_config_replaces_the_exempt_stacks(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "dev")
    config = {policies.VERSIONING_EXEMPT_STACKS_KEY: ["sandbox"]}
    assert check_resource(policies.s3_versioning_enabled, VERSIONING_TYPE, versioning("Suspended"), config=config)
    monkeypatch.setenv("PULUMI_STACK", "sandbox")
    assert not check_resource(policies.s3_versioning_enabled, VERSIONING_TYPE, versioning("Suspended"), config=config)


LIFECYCLE = {
    "bucket": "tracking-bucket-e99e974",
    "rules": [
        {
            "id": "tier-delivered-data",
            "status": "Enabled",
            "transitions": [{"days": 30, "storageClass": "STANDARD_IA"}, {"days": 180, "storageClass": "GLACIER_IR"}],
        }
    ],
}
LIFECYCLE_TYPE = policies.LIFECYCLE_TYPES[0]


def test_a_lifecycle_that_keeps_data_readable_passes():
    assert check_resource(policies.s3_lifecycle_keeps_data_readable, LIFECYCLE_TYPE, LIFECYCLE) == []


@pytest.mark.parametrize("storage_class", ["GLACIER", "DEEP_ARCHIVE"])
def test_a_lifecycle_that_archives_data_fails(storage_class):
    props = copy.deepcopy(LIFECYCLE)
    props["rules"][0]["transitions"][1]["storageClass"] = storage_class
    [message] = check_resource(policies.s3_lifecycle_keeps_data_readable, LIFECYCLE_TYPE, props)
    assert storage_class in message and "Athena" in message
