"""Athena workgroup and Glue table policies: one compliant resource, then one changed field per rule."""

from __future__ import annotations

import copy
from typing import Any

import policies
import pytest
from harness import check_resource

WORKGROUP: dict[str, Any] = {
    "name": "tracking-prod",
    "configuration": {
        "enforceWorkgroupConfiguration": True,
        "bytesScannedCutoffPerQuery": 100_000_000_000,
        "resultConfiguration": {
            "outputLocation": "s3://tracking-query-results-1a2b3c4/athena/",
            "encryptionConfiguration": {"encryptionOption": "SSE_S3"},
        },
    },
}
TABLE: dict[str, Any] = {
    "name": "price_record",
    "partitionKeys": [{"name": "year", "type": "int"}, {"name": "month", "type": "int"}],
    "parameters": {"projection.enabled": "true", "projection.year.type": "integer", "projection.month.type": "integer"},
}
WORKGROUP_POLICIES = [policies.athena_workgroup_enforced, policies.athena_results_encrypted, policies.athena_scan_limit]


def workgroup(edit) -> dict[str, Any]:
    props = copy.deepcopy(WORKGROUP)
    edit(props["configuration"])
    return props


@pytest.mark.parametrize("policy", WORKGROUP_POLICIES, ids=lambda policy: policy.name)
def test_an_enforced_encrypted_limited_workgroup_passes(policy):
    assert check_resource(policy, policies.ATHENA_WORKGROUP_TYPE, WORKGROUP) == []


def test_a_kms_encrypted_workgroup_with_its_key_passes():
    def kms(configuration):
        configuration["resultConfiguration"]["encryptionConfiguration"] = {
            "encryptionOption": "SSE_KMS",
            "kmsKeyArn": "arn:aws:kms:ap-southeast-1:123456789012:key/1",
        }

    assert check_resource(policies.athena_results_encrypted, policies.ATHENA_WORKGROUP_TYPE, workgroup(kms)) == []


@pytest.mark.parametrize("value", [False, None])
def test_an_unenforced_workgroup_fails(value):
    props = workgroup(lambda c: c.update(enforceWorkgroupConfiguration=value))
    [message] = check_resource(policies.athena_workgroup_enforced, policies.ATHENA_WORKGROUP_TYPE, props)
    assert "enforceWorkgroupConfiguration to true" in message


def test_a_workgroup_without_configuration_fails_every_rule():
    for policy in WORKGROUP_POLICIES:
        assert len(check_resource(policy, policies.ATHENA_WORKGROUP_TYPE, {"name": "wg"})) == 1


def test_unencrypted_results_fail():
    props = workgroup(lambda c: c["resultConfiguration"].pop("encryptionConfiguration"))
    [message] = check_resource(policies.athena_results_encrypted, policies.ATHENA_WORKGROUP_TYPE, props)
    assert "unencrypted (None)" in message


def test_kms_results_without_a_key_fail():
    props = workgroup(
        lambda c: c["resultConfiguration"].update(encryptionConfiguration={"encryptionOption": "SSE_KMS"})
    )
    [message] = check_resource(policies.athena_results_encrypted, policies.ATHENA_WORKGROUP_TYPE, props)
    assert "kmsKeyArn" in message


def test_a_workgroup_without_a_scan_limit_fails():
    props = workgroup(lambda c: c.pop("bytesScannedCutoffPerQuery"))
    [message] = check_resource(policies.athena_scan_limit, policies.ATHENA_WORKGROUP_TYPE, props)
    assert "bytesScannedCutoffPerQuery" in message


def test_a_projected_table_passes_and_an_unpartitioned_one_needs_nothing():
    assert check_resource(policies.glue_partitions_projected, policies.GLUE_TABLE_TYPE, TABLE) == []
    assert check_resource(policies.glue_partitions_projected, policies.GLUE_TABLE_TYPE, {"name": "flat"}) == []


def test_a_partitioned_table_without_projection_fails():
    props = {**TABLE, "parameters": {}}
    [message] = check_resource(policies.glue_partitions_projected, policies.GLUE_TABLE_TYPE, props)
    assert "projection.enabled=true" in message


def test_a_partition_key_without_its_projection_fails():
    props = copy.deepcopy(TABLE)
    del props["parameters"]["projection.month.type"]
    [message] = check_resource(policies.glue_partitions_projected, policies.GLUE_TABLE_TYPE, props)
    assert "'month'" in message
