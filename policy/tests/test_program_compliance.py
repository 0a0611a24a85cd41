"""Every policy over the resources the real program registers, per stack: the program complies, and breaking
one recorded resource is caught by the policy responsible for it.

The program runs under tests/components's mocks; its monitor is extended to keep what the engine also hands to stack
policies (each resource's URN, parent and the resources each input was computed from).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from typing import Any

import policies
import pytest
from harness import RecordedResource, run_pack

from tests.components import conftest as infra


class DependencyRecordingMonitor(infra.RecordingMonitor):
    def __init__(self, mocks: infra.RecordingMocks) -> None:
        super().__init__(mocks)
        self.urn_by_name: dict[str, str] = {}
        self.requests: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        self.urn_by_name[request.name] = response.urn
        self.requests[request.name] = request
        return response


@pytest.fixture
def record(run_program, monkeypatch) -> Callable[[str], list[RecordedResource]]:
    """Run __main__.py with a stack's config, as the engine would with PULUMI_STACK set for the pack."""

    def run(stack: str) -> list[RecordedResource]:
        monitors: list[DependencyRecordingMonitor] = []

        def monitor(mocks: infra.RecordingMocks) -> DependencyRecordingMonitor:
            monitors.append(DependencyRecordingMonitor(mocks))
            return monitors[-1]

        monkeypatch.setattr(infra, "RecordingMonitor", monitor)
        monkeypatch.setenv("PULUMI_STACK", stack)
        graph = run_program(infra.deployable_stack_config(stack), stack).graph
        [recorder] = monitors
        return [
            RecordedResource(
                type=resource.type,
                name=resource.name,
                urn=recorder.urn_by_name[resource.name],
                inputs=copy.deepcopy(resource.inputs),
                outputs=copy.deepcopy(resource.outputs),
                parent_urn=recorder.requests[resource.name].parent or None,
                dependencies=list(recorder.requests[resource.name].dependencies),
                property_dependencies={
                    key: list(deps.urns) for key, deps in recorder.requests[resource.name].propertyDependencies.items()
                },
            )
            for resource in graph.resources
        ]

    return run


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_program_complies_with_every_policy(record, stack):
    resources = record(stack)
    types = {resource.type for resource in resources}
    assert {"aws:s3/bucket:Bucket", policies.STREAM_TYPE, policies.DELIVERY_STREAM_TYPE, policies.ROLE_TYPE} <= types
    assert run_pack(resources) == []


def named(resources: list[RecordedResource], name: str) -> RecordedResource:
    [found] = [resource for resource in resources if resource.name == name]
    return found


def edit_document(resource: RecordedResource, key: str, edit: Callable[[dict[str, Any]], None]) -> None:
    document = json.loads(resource.inputs[key])
    edit(document)
    resource.inputs[key] = json.dumps(document)


def unencrypted_stream(resources):
    named(resources, "tracking-stream").inputs["encryptionType"] = "NONE"


def uncompressed_delivery(resources):
    """prod converts to Parquet (compressed inside the files); without the conversion its objects would be raw."""
    s3 = named(resources, "tracking-delivery").inputs["extendedS3Configuration"]
    s3["compressionFormat"] = "UNCOMPRESSED"
    s3.pop("dataFormatConversionConfiguration", None)


def workgroup_not_enforced(resources):
    named(resources, "tracking-catalog-workgroup").inputs["configuration"]["enforceWorkgroupConfiguration"] = False


def results_unencrypted(resources):
    del named(resources, "tracking-catalog-workgroup").inputs["configuration"]["resultConfiguration"][
        "encryptionConfiguration"
    ]


def no_scan_limit(resources):
    del named(resources, "tracking-catalog-workgroup").inputs["configuration"]["bytesScannedCutoffPerQuery"]


def partitions_not_projected(resources):
    named(resources, "tracking-catalog-table").inputs["parameters"]["projection.enabled"] = "false"


def no_error_prefix(resources):
    del named(resources, "tracking-delivery").inputs["extendedS3Configuration"]["errorOutputPrefix"]


def producer_may_do_anything(resources):
    edit_document(
        named(resources, "tracking-producer-policy"), "policy", lambda d: d["Statement"][0].update(Action="*")
    )


def anyone_may_assume_the_role(resources):
    trust = named(resources, "tracking-firehose-role")
    edit_document(trust, "assumeRolePolicy", lambda d: d["Statement"][0].update(Principal="*"))


def bucket_policy_allows_plain_http(resources):
    edit_document(named(resources, "tracking-bucket-policy"), "policy", lambda d: d["Statement"].pop(0))


def public_acls_honoured(resources):
    named(resources, "tracking-bucket-public-access").inputs["ignorePublicAcls"] = False


def public_access_block_removed(resources):
    resources.remove(named(resources, "tracking-access-logs-public-access"))


def versioning_suspended(resources):
    named(resources, "tracking-bucket-versioning").inputs["versioningConfiguration"]["status"] = "Suspended"


def logs_kept_forever(resources):
    del named(resources, "tracking-delivery-logs").inputs["retentionInDays"]


def encryption_rules_removed(resources):
    named(resources, "tracking-access-logs-encryption").inputs["rules"] = []


def waf_logging_removed(resources):
    resources.remove(named(resources, "tracking-endpoint-waf-logging"))


def request_bodies_logged(resources):
    named(resources, "tracking-endpoint-settings").inputs["settings"]["dataTraceEnabled"] = True


def unencrypted_queue(resources):
    named(resources, "tracking-ingest-queue").inputs["sqsManagedSseEnabled"] = False


def ledger_without_recovery(resources):
    named(resources, "tracking-ingest-ledger").inputs["pointInTimeRecovery"] = {"enabled": False}


def public_worker_url(resources):
    """A function URL nobody authenticates to, added next to the worker (the program never creates one)."""
    worker = named(resources, "tracking-ingest-worker-prod")
    resources.append(
        dataclasses.replace(
            worker,
            type=policies.FUNCTION_URL_TYPE,
            name="tracking-ingest-worker-url",
            urn=worker.urn.replace("aws:lambda/function:Function::tracking-ingest-worker-prod", "url"),
            inputs={"functionName": "tracking-ingest-worker-prod", "authorizationType": "NONE"},
            outputs={},
        )
    )


def customer_keyed_queue_also_sends_sse_flag(resources):
    """What the component sent before: kmsMasterKeyId next to sqsManagedSseEnabled=false, which the provider refuses."""
    queue = named(resources, "tracking-ingest-dlq").inputs
    queue.pop("sqsManagedSseEnabled")
    queue.update(kmsMasterKeyId="arn:aws:kms:ap-southeast-1:123456789012:key/1", sqsManagedSseEnabled=False)


def untraced_worker(resources):
    named(resources, "tracking-ingest-worker-prod").inputs["tracingConfig"] = {"mode": "PassThrough"}


def data_archived_to_glacier(resources):
    """What the component declared before: delivered data moved to GLACIER, out of Athena's reach."""
    rules = named(resources, "tracking-bucket-lifecycle").inputs["rules"]
    [tiering] = [rule for rule in rules if rule["id"] == "tier-delivered-data"]
    tiering["transitions"][-1]["storageClass"] = "GLACIER"


def known_bad_inputs_dropped(resources):
    acl = named(resources, "tracking-endpoint-web-acl").inputs
    acl["rules"] = [
        rule
        for rule in acl["rules"]
        if (rule["statement"].get("managedRuleGroupStatement") or {}).get("name")
        != policies.KNOWN_BAD_INPUTS_RULE_GROUP
    ]


BREAKAGES = [
    (customer_keyed_queue_also_sends_sse_flag, "sqs-queue-encrypted", "tracking-ingest-dlq"),
    (untraced_worker, "lambda-function-traced", "tracking-ingest-worker-prod"),
    (data_archived_to_glacier, "s3-lifecycle-no-archive-classes", "tracking-bucket-lifecycle"),
    (known_bad_inputs_dropped, "wafv2-web-acl-known-bad-inputs", "tracking-endpoint-web-acl"),
    (unencrypted_queue, "sqs-queue-encrypted", "tracking-ingest-queue"),
    (ledger_without_recovery, "dynamodb-table-recoverable-and-encrypted", "tracking-ingest-ledger"),
    (public_worker_url, "lambda-no-public-function-url", "tracking-ingest-worker-url"),
    (unencrypted_stream, "kinesis-stream-encrypted", "tracking-stream"),
    (uncompressed_delivery, "firehose-s3-compressed", "tracking-delivery"),
    (no_error_prefix, "firehose-s3-error-prefix", "tracking-delivery"),
    (workgroup_not_enforced, "athena-workgroup-enforced", "tracking-catalog-workgroup"),
    (results_unencrypted, "athena-workgroup-results-encrypted", "tracking-catalog-workgroup"),
    (no_scan_limit, "athena-workgroup-scan-limit", "tracking-catalog-workgroup"),
    (partitions_not_projected, "glue-table-partitions-projected", "tracking-catalog-table"),
    (producer_may_do_anything, "iam-no-wildcard-allow", "tracking-producer-policy"),
    (anyone_may_assume_the_role, "iam-trust-policy-no-wildcard", "tracking-firehose-role"),
    (bucket_policy_allows_plain_http, "s3-bucket-tls-only", "tracking-bucket-policy"),
    (public_acls_honoured, "s3-bucket-public-access-blocked", "tracking-bucket-public-access"),
    (public_access_block_removed, "s3-bucket-settings-present", "tracking-access-logs"),
    (versioning_suspended, "s3-bucket-versioning-enabled", "tracking-bucket-versioning"),
    (logs_kept_forever, "cloudwatch-log-group-retention", "tracking-delivery-logs"),
    (encryption_rules_removed, "s3-bucket-default-encryption", "tracking-access-logs-encryption"),
    (waf_logging_removed, "wafv2-web-acl-logging", "tracking-endpoint-web-acl"),
    (request_bodies_logged, "apigateway-no-data-trace", "tracking-endpoint-settings"),
]


@pytest.mark.parametrize(("break_it", "policy", "resource"), BREAKAGES, ids=[b[0].__name__ for b in BREAKAGES])
def test_breaking_one_prod_resource_is_caught_by_its_policy(record, break_it, policy, resource):
    resources = record("prod")
    break_it(resources)
    assert {(violation.policy, violation.resource) for violation in run_pack(resources)} == {(policy, resource)}


def test_every_policy_has_a_breakage_the_program_test_catches():
    assert {policy for _, policy, _ in BREAKAGES} == {policy.name for policy in policies.POLICIES}


def test_suspended_versioning_passes_in_dev(record):
    resources = record("dev")
    versioning_suspended(resources)
    assert run_pack(resources) == []
