"""Every IAM document the component registers passes the parliament IAM linter and grants no wildcard."""

from __future__ import annotations

import json

import pytest
from parliament import analyze_policy_string

from components import TrackingPipeline, TrackingPipelineArgs

CUSTOMER_KEY = "arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# Parliament reads every document as an identity policy; a role's trust policy has a Principal and no
# Resource by definition, which it reports as this one finding.
TRUST_POLICY_FINDING = "Statement contains neither Resource nor NotResource"


def _documents(graph) -> dict[str, dict]:
    documents = {}
    for resource in graph.resources:
        for key in ("policy", "assumeRolePolicy"):
            if isinstance(resource.inputs.get(key), str):
                documents[f"{resource.name}.{key}"] = json.loads(resource.inputs[key])
    return documents


def _findings(document: dict, *, trust: bool) -> list[str]:
    policy = analyze_policy_string(json.dumps(document), include_community_auditors=True)
    found = [f"{f.issue}: {f.detail}" for f in policy.findings]
    return [f for f in found if not (trust and f.endswith(TRUST_POLICY_FINDING))]


@pytest.mark.parametrize(
    "args",
    [
        TrackingPipelineArgs(),
        TrackingPipelineArgs(kms_key_arn=CUSTOMER_KEY, enable_access_logging=True),
        TrackingPipelineArgs(enable_http_endpoint=True, kms_key_arn=CUSTOMER_KEY, http_set_account_log_role=True),
    ],
    ids=["aws-managed-keys", "customer-key-and-access-logs", "http-endpoint"],
)
def test_every_iam_document_is_lint_clean_and_wildcard_free(build, args):
    graph, _ = build(lambda: TrackingPipeline("tp", args=args))
    documents = _documents(graph)
    assert len(documents) >= 4
    for name, document in documents.items():
        assert _findings(document, trust=name.endswith("assumeRolePolicy")) == [], name
        for statement in document["Statement"]:
            if statement["Effect"] != "Allow":
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not any("*" in action for action in actions), f"{name}: wildcard action {actions}"
            resources = statement.get("Resource", [])
            resources = resources if isinstance(resources, list) else [resources]
            assert all(r.startswith("arn:aws:") for r in resources), f"{name}: {resources}"
            assert not any(r.endswith(":*") or r == "*" for r in resources), f"{name}: wildcard resource"


def test_the_linter_does_report_a_broken_document():
    broken = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "kinesis:PutRecordz", "Resource": "arn:aws:s3:::bucket"}],
    }
    assert _findings(broken, trust=False) != []


def test_the_endpoint_adds_its_role_documents_to_what_is_linted(build):
    graph, _ = build(lambda: TrackingPipeline("tp", args=TrackingPipelineArgs(enable_http_endpoint=True)))
    documents = _documents(graph)
    assert {"tp-endpoint-role.assumeRolePolicy", "tp-endpoint-role-policy.policy"} <= set(documents)
