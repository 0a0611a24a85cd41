"""IAM policies: least-privilege identity documents and trust policies, as JSON text or as objects."""

from __future__ import annotations

import json
from typing import Any

import policies
import pytest
from harness import check_resource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

STREAM_ARN = "arn:aws:kinesis:ap-southeast-1:123456789012:stream/tracking-stream"
WRITE_STREAM = {"Sid": "WriteStream", "Effect": "Allow", "Action": ["kinesis:PutRecords"], "Resource": STREAM_ARN}
TRUST = {
    "Sid": "FirehoseAssumeRole",
    "Effect": "Allow",
    "Principal": {"Service": "firehose.amazonaws.com"},
    "Action": "sts:AssumeRole",
}


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def identity_policy(statement: dict[str, Any]) -> dict[str, Any]:
    return {"policy": document(statement)}


@pytest.mark.parametrize("resource_type", policies.IDENTITY_POLICY_TYPES)
def test_scoped_identity_policy_passes(resource_type):
    assert check_resource(policies.iam_no_wildcard_allow, resource_type, identity_policy(WRITE_STREAM)) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"Action": "*"}, "wildcard action '*'"),
        ({"Action": ["kinesis:PutRecords", "s3:*"]}, "wildcard action 's3:*'"),
        ({"Resource": "*"}, "resource '*'"),
        ({"Resource": [STREAM_ARN, "*"]}, "resource '*'"),
    ],
)
def test_identity_policy_allowing_a_wildcard_fails(change, expected):
    props = identity_policy({**WRITE_STREAM, **change})
    [message] = check_resource(policies.iam_no_wildcard_allow, "aws:iam/rolePolicy:RolePolicy", props)
    assert expected in message
    assert "statement WriteStream" in message


@pytest.mark.parametrize(("swap", "expected"), [("Action", "NotAction"), ("Resource", "NotResource")])
def test_allow_with_not_action_or_not_resource_fails(swap, expected):
    statement = {key: value for key, value in WRITE_STREAM.items() if key != swap}
    statement[expected] = "kinesis:DeleteStream" if swap == "Action" else STREAM_ARN
    [message] = check_resource(policies.iam_no_wildcard_allow, "aws:iam/policy:Policy", identity_policy(statement))
    assert expected in message


def test_wildcards_in_a_deny_are_fine():
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    props = {"policy": document(WRITE_STREAM, deny)}
    assert check_resource(policies.iam_no_wildcard_allow, "aws:iam/policy:Policy", props) == []


def test_policy_given_as_an_object_with_a_single_statement_is_read():
    props = {"policy": {"Version": "2012-10-17", "Statement": {**WRITE_STREAM, "Action": "*"}}}
    assert check_resource(policies.iam_no_wildcard_allow, "aws:iam/policy:Policy", props)


def test_policy_that_is_not_json_fails():
    [message] = check_resource(policies.iam_no_wildcard_allow, "aws:iam/policy:Policy", {"policy": "Allow all"})
    assert "not a JSON policy document" in message


def role_with_inline(statement: dict[str, Any]) -> dict[str, Any]:
    return {"assumeRolePolicy": document(TRUST), "inlinePolicies": [{"name": "inline", "policy": document(statement)}]}


def test_role_inline_policies_are_identity_policies():
    scoped = role_with_inline(WRITE_STREAM)
    assert check_resource(policies.iam_no_wildcard_allow, policies.ROLE_TYPE, scoped) == []
    broad = role_with_inline({**WRITE_STREAM, "Resource": "*"})
    [message] = check_resource(policies.iam_no_wildcard_allow, policies.ROLE_TYPE, broad)
    assert "inline policy 'inline'" in message


def test_trust_policy_is_not_judged_as_an_identity_policy():
    """A trust policy has no Resource; its Principal is what matters (checked by the trust policy rule)."""
    role = {"assumeRolePolicy": document({**TRUST, "Principal": "*"})}
    assert check_resource(policies.iam_no_wildcard_allow, policies.ROLE_TYPE, role) == []


def test_unknown_document_during_preview_is_not_a_pass():
    """pulumi-policy turns this error into "can't run policy during preview"; the policy runs again on up."""
    with pytest.raises(UnknownValueError):
        check_resource(policies.iam_no_wildcard_allow, "aws:iam/policy:Policy", {"policy": UNKNOWN_STRING_VALUE})


# --- trust policies -------------------------------------------------------------------------------------------


def test_trust_policy_naming_a_service_passes():
    role = {"assumeRolePolicy": document(TRUST)}
    assert check_resource(policies.iam_trust_no_wildcard, policies.ROLE_TYPE, role) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"Principal": "*"}, "any principal"),
        ({"Principal": {"AWS": "*"}}, "any principal"),
        ({"Action": "sts:*"}, "wildcard action 'sts:*'"),
        ({"Action": "*"}, "wildcard action '*'"),
    ],
)
def test_trust_policy_with_a_wildcard_fails(change, expected):
    role = {"assumeRolePolicy": document({**TRUST, **change})}
    [message] = check_resource(policies.iam_trust_no_wildcard, policies.ROLE_TYPE, role)
    assert expected in message


def test_trust_policy_that_is_not_json_fails():
    assert check_resource(policies.iam_trust_no_wildcard, policies.ROLE_TYPE, {"assumeRolePolicy": "{"})
