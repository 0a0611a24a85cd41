"""Run the pack's policies the way pulumi-policy's analyzer does, minus the gRPC server.

Properties go through pulumi-policy's own unknown-checking proxy, so validators see the same Mapping/Sequence
wrappers (and the same UnknownValueError on unknown values) as under the engine.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from policies import POLICIES
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

PACK_DIR = Path(__file__).resolve().parents[1]
STACK_URN_PREFIX = "urn:pulumi:test::tracking-pipeline::"


class Violation(NamedTuple):
    policy: str
    resource: str | None
    message: str


class Reported:
    """A report_violation that keeps what it is told, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.calls.append((message, urn))

    @property
    def messages(self) -> list[str]:
        return [message for message, _ in self.calls]


def urn_of(resource_type: str, name: str) -> str:
    return f"{STACK_URN_PREFIX}{resource_type}::{name}"


def _options(parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=parent,
    )


def resource_args(
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str = "subject",
    urn: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        resource_type,
        unknown_checking_proxy(copy.deepcopy(dict(props))),
        urn or urn_of(resource_type, name),
        name,
        _options(),
        None,
        config,
    )


def check_resource(
    policy: ResourceValidationPolicy,
    resource_type: str,
    props: Mapping[str, Any],
    *,
    config: Mapping[str, Any] | None = None,
) -> list[str]:
    """The messages `policy` reports for one resource's inputs."""
    reported = Reported()
    policy.validate(resource_args(resource_type, props, config=config), reported)
    return reported.messages


def policy_resource(
    resource_type: str,
    props: Mapping[str, Any],
    name: str,
    *,
    urn: str | None = None,
    depends_on: Mapping[str, Iterable[PolicyResource]] | None = None,
) -> PolicyResource:
    """A stack resource as AnalyzeStack sees it: its outputs, and the resources each input was computed from."""
    return PolicyResource(
        resource_type,
        unknown_checking_proxy(copy.deepcopy(dict(props))),
        urn or urn_of(resource_type, name),
        name,
        _options(),
        None,
        None,
        [],
        {key: list(sources) for key, sources in (depends_on or {}).items()},
    )


def check_stack(
    policy: StackValidationPolicy,
    resources: list[PolicyResource],
    *,
    config: Mapping[str, Any] | None = None,
) -> list[tuple[str, str | None]]:
    """The (message, urn) pairs `policy` reports for a whole stack."""
    reported = Reported()
    policy.validate(StackValidationArgs(resources, config), reported)
    return reported.calls


@dataclass
class RecordedResource:
    """One resource a program registered: what the engine would hand to resource and stack validators."""

    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    parent_urn: str | None = None
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)


def run_pack(resources: list[RecordedResource]) -> list[Violation]:
    """Every policy of the pack over a program's resources: resource policies on each one's inputs, stack
    policies once over all outputs, as the engine does during `pulumi up`."""
    found: list[Violation] = []
    stack = _stack_resources(resources)
    for policy in POLICIES:
        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                reported = Reported()
                args = resource_args(resource.type, resource.inputs, name=resource.name, urn=resource.urn)
                policy.validate(args, reported)
                found += [Violation(policy.name, resource.name, message) for message in reported.messages]
        elif isinstance(policy, StackValidationPolicy):
            reported = Reported()
            policy.validate(StackValidationArgs(stack), reported)
            name_by_urn = {resource.urn: resource.name for resource in resources}
            found += [Violation(policy.name, name_by_urn.get(urn or ""), message) for message, urn in reported.calls]
    return found


def _stack_resources(resources: list[RecordedResource]) -> list[PolicyResource]:
    by_urn = {
        resource.urn: PolicyResource(
            resource.type,
            unknown_checking_proxy(copy.deepcopy(resource.outputs)),
            resource.urn,
            resource.name,
            _options(resource.parent_urn),
            None,
            None,
            [],
            {},
        )
        for resource in resources
    }
    for resource in resources:
        analyzed = by_urn[resource.urn]
        analyzed.parent = by_urn.get(resource.parent_urn or "")
        analyzed.dependencies = [by_urn[urn] for urn in resource.dependencies if urn in by_urn]
        analyzed.property_dependencies = {
            key: [by_urn[urn] for urn in urns if urn in by_urn] for key, urns in resource.property_dependencies.items()
        }
    return list(by_urn.values())
