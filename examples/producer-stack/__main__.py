"""An application's IAM role that may write records to a tracking pipeline, wired from that stack's outputs.

The pipeline stack exports `producerPolicyArn`: a managed policy that allows writing to its one stream (and
using its key, when it has one). Attaching that policy, instead of restating its statements here, means a new
stream or key in the pipeline stack reaches the application's role without any change to this program.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

PIPELINE_PROJECT = "tracking-pipeline"


@dataclass(frozen=True)
class Platform:
    service: str
    """The service principal that assumes the role for the application."""
    scoped_to_account: bool
    """The service names the calling account when it assumes the role, so the trust policy can require it and
    no other account's tasks can borrow the role (the confused-deputy guard)."""


PLATFORMS = {
    "ecs-tasks": Platform("ecs-tasks.amazonaws.com", scoped_to_account=True),
    "lambda": Platform("lambda.amazonaws.com", scoped_to_account=False),
}


def trust_policy(platform: Platform, account_id: str) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": platform.service},
        "Action": "sts:AssumeRole",
    }
    if platform.scoped_to_account:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
    return {"Version": "2012-10-17", "Statement": [statement]}


config = pulumi.Config()
pipeline_org = config.require("pipelineOrg")
pipeline_stack = config.get("pipelineStack") or pulumi.get_stack()
app_name = config.get("appName") or "producer"
platform_name = config.get("appPlatform") or "ecs-tasks"
if platform_name not in PLATFORMS:
    raise pulumi.RunError(f"appPlatform={platform_name!r} is invalid: expected one of {', '.join(PLATFORMS)}")
platform = PLATFORMS[platform_name]

pipeline = pulumi.StackReference(f"{pipeline_org}/{PIPELINE_PROJECT}/{pipeline_stack}")
account_id = aws.get_caller_identity_output().account_id

role = aws.iam.Role(
    f"{app_name}-role",
    description=f"{app_name}: writes records to the tracking stream of {pipeline_stack}",
    assume_role_policy=account_id.apply(lambda account: json.dumps(trust_policy(platform, account))),
    tags={"application": app_name, "tracking-pipeline-stack": pipeline_stack},
)
aws.iam.RolePolicyAttachment(
    f"{app_name}-writes-tracking-stream",
    role=role.name,
    policy_arn=pipeline.require_output("producerPolicyArn"),
)

pulumi.export("roleArn", role.arn)
pulumi.export("roleName", role.name)
pulumi.export("streamName", pipeline.require_output("streamName"))
pulumi.export("streamRegion", pipeline.require_output("region"))
