"""examples/producer-stack: an application's role that writes to the pipeline, wired from the pipeline's outputs."""

from __future__ import annotations

import json

import jsonschema
import pulumi
import pytest
import yaml

from components.core.stack_outputs import BUCKET_NAME, PRODUCER_POLICY_ARN, STREAM_ARN, STREAM_NAME
from components.core.stack_outputs import REGION as OUTPUT_REGION
from tests.components.conftest import ACCOUNT, REGION
from tests.paths import PULUMI_PROJECT_SCHEMA

from .conftest import EXAMPLES_DIR, STACK_REFERENCE

EXAMPLE = "producer-stack"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
PROD_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/tracking-producer-policy-prod1234"
DEV_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/tracking-producer-policy-dev5678"


def pipeline_outputs(policy_arn: str, stream: str) -> dict[str, object]:
    """The outputs a tracking-pipeline stack exports (the ones this example reads, and others it must ignore), named
    by the program's table: the example spells them out, so a renamed output fails here."""
    return {
        PRODUCER_POLICY_ARN.key: policy_arn,
        STREAM_NAME.key: stream,
        STREAM_ARN.key: f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{stream}",
        OUTPUT_REGION.key: REGION,
        BUCKET_NAME.key: f"{stream}-bucket",
    }


STACKS = {
    "acme/tracking-pipeline/prod": pipeline_outputs(PROD_POLICY, "tracking-stream-prod"),
    "acme/tracking-pipeline/dev": pipeline_outputs(DEV_POLICY, "tracking-stream-dev"),
}


def test_the_role_gets_exactly_the_producer_policy_of_the_referenced_stack(run_example):
    run = run_example(EXAMPLE, {"pipelineOrg": "acme", "pipelineStack": "prod"}, stack="orders", stacks=STACKS)
    reference = run.graph.one(STACK_REFERENCE)
    assert reference.inputs["name"] == "acme/tracking-pipeline/prod"
    role = run.graph.one(ROLE)
    attachment = run.graph.one(ATTACHMENT)
    assert attachment.inputs["policyArn"] == PROD_POLICY
    assert attachment.inputs["role"] == role.outputs["name"]
    assert run.outputs == {
        "roleArn": role.outputs["arn"],
        "roleName": role.outputs["name"],
        "streamName": "tracking-stream-prod",
        "streamRegion": REGION,
    }


def test_the_pipeline_stack_defaults_to_the_stack_of_the_same_name(run_example):
    run = run_example(EXAMPLE, {"pipelineOrg": "acme"}, stack="dev", stacks=STACKS)
    assert run.graph.one(STACK_REFERENCE).inputs["name"] == "acme/tracking-pipeline/dev"
    assert run.graph.one(ATTACHMENT).inputs["policyArn"] == DEV_POLICY
    assert run.outputs["streamName"] == "tracking-stream-dev"


def test_the_role_grants_nothing_but_the_referenced_policy(run_example):
    run = run_example(EXAMPLE, {"pipelineOrg": "acme", "pipelineStack": "prod"}, stacks=STACKS)
    iam = [resource.type for resource in run.graph.resources if resource.type.startswith("aws:iam/")]
    assert sorted(iam) == [ROLE, ATTACHMENT]
    assert "inlinePolicies" not in run.graph.one(ROLE).inputs
    assert "managedPolicyArns" not in run.graph.one(ROLE).inputs


@pytest.mark.parametrize(
    ("platform", "service", "condition"),
    [
        ("ecs-tasks", "ecs-tasks.amazonaws.com", {"StringEquals": {"aws:SourceAccount": ACCOUNT}}),
        ("lambda", "lambda.amazonaws.com", None),
    ],
)
def test_only_the_chosen_platform_can_assume_the_role(run_example, platform, service, condition):
    config = {"pipelineOrg": "acme", "pipelineStack": "prod", "appPlatform": platform, "appName": "checkout"}
    run = run_example(EXAMPLE, config, stacks=STACKS)
    role = run.graph.one(ROLE)
    assert role.name == "checkout-role"
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {"Service": service}
    assert statement.get("Condition") == condition


def test_an_unknown_platform_stops_the_program_naming_the_choices(run_example):
    with pytest.raises(pulumi.RunError, match=r"appPlatform='ec2' is invalid: expected one of ecs-tasks, lambda"):
        run_example(EXAMPLE, {"pipelineOrg": "acme", "appPlatform": "ec2"}, stacks=STACKS)


def test_the_pipeline_organization_is_required(run_example):
    with pytest.raises(pulumi.ConfigMissingError, match="pipelineOrg"):
        run_example(EXAMPLE, {}, stacks=STACKS)


def test_project_file_is_valid_and_declares_every_key_the_program_reads():
    project = yaml.safe_load((EXAMPLES_DIR / EXAMPLE / "Pulumi.yaml").read_text())
    jsonschema.validate(project, json.loads(PULUMI_PROJECT_SCHEMA.read_text()))
    assert set(project["config"]) == {"pipelineOrg", "pipelineStack", "appName", "appPlatform"}
    assert "default" not in project["config"]["pipelineOrg"]


def test_the_program_needs_only_pulumi_and_pulumi_aws():
    lines = (EXAMPLES_DIR / EXAMPLE / "requirements.txt").read_text().splitlines()
    packages = {line.split(">=")[0] for line in lines if line and not line.startswith("#")}
    assert packages == {"pulumi", "pulumi-aws"}
