"""The stack policy: every bucket has each of its separate setting resources, found through what the engine
knows even during a preview (which resource each setting's `bucket` input came from)."""

from __future__ import annotations

import policies
import pytest
from harness import check_stack, policy_resource
from pulumi_policy import PolicyResource

SETTINGS = {
    "public-access": (policies.PUBLIC_ACCESS_BLOCK_TYPE, "BucketPublicAccessBlock"),
    "encryption": (policies.ENCRYPTION_TYPES[0], "BucketServerSideEncryptionConfiguration"),
    "policy": (policies.BUCKET_POLICY_TYPE, "BucketPolicy"),
    "versioning": (policies.VERSIONING_TYPES[0], "BucketVersioning"),
}


def bucket(name: str) -> PolicyResource:
    return policy_resource("aws:s3/bucket:Bucket", {"bucket": f"{name}-e99e974"}, name)


def settings_for(target: PolicyResource, *, skip: str | None = None) -> list[PolicyResource]:
    """The setting resources for `target`, whose `bucket` input was computed from it (bucket.id)."""
    return [
        policy_resource(
            resource_type,
            {"bucket": target.props["bucket"]},
            f"{target.name}-{suffix}",
            depends_on={"bucket": [target]},
        )
        for suffix, (resource_type, _) in SETTINGS.items()
        if suffix != skip
    ]


def test_bucket_with_every_setting_passes(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "prod")
    data = bucket("data")
    assert check_stack(policies.s3_bucket_settings_present, [data, *settings_for(data)]) == []


@pytest.mark.parametrize("missing", SETTINGS)
def test_bucket_missing_one_setting_is_reported_against_the_bucket(monkeypatch, missing):
    monkeypatch.setenv("PULUMI_STACK", "prod")
    data = bucket("data")
    [(message, urn)] = check_stack(policies.s3_bucket_settings_present, [data, *settings_for(data, skip=missing)])
    assert SETTINGS[missing][1] in message
    assert urn == data.urn


def test_dev_bucket_may_have_no_versioning(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "dev")
    data = bucket("data")
    assert check_stack(policies.s3_bucket_settings_present, [data, *settings_for(data, skip="versioning")]) == []


def test_another_buckets_settings_do_not_count(monkeypatch):
    monkeypatch.setenv("PULUMI_STACK", "prod")
    data, logs = bucket("data"), bucket("logs")
    resources = [data, logs, *settings_for(data), *settings_for(logs, skip="encryption")]
    [(message, urn)] = check_stack(policies.s3_bucket_settings_present, resources)
    assert (urn, "'logs'" in message) == (logs.urn, True)


def test_setting_with_a_literal_bucket_name_is_matched_by_name(monkeypatch):
    """No property dependency when the program writes the bucket's name as a string."""
    monkeypatch.setenv("PULUMI_STACK", "prod")
    data = bucket("data")
    literal = [
        policy_resource(resource_type, {"bucket": "data-e99e974"}, f"literal-{suffix}")
        for suffix, (resource_type, _) in SETTINGS.items()
    ]
    assert check_stack(policies.s3_bucket_settings_present, [data, *literal]) == []
    renamed = [policy_resource(r.resource_type, {"bucket": "other"}, r.name) for r in literal]
    assert len(check_stack(policies.s3_bucket_settings_present, [data, *renamed])) == len(SETTINGS)
