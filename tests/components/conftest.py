"""Pulumi unit-test harness: the real SDK and pulumi-aws classes against recording mocks (no CLI, no cloud).

`RecordingMocks` keeps every registered resource (type, name, inputs, parent) and answers with outputs shaped
like AWS's (ARNs, auto-generated physical names), so tests can assert on the resource graph itself: which ARN
feeds which input, what each IAM document says.
"""

from __future__ import annotations

import hashlib
import json
import runpy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.runtime.settings import ROOT
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

PROJECT = "tracking-pipeline"
PROJECT_DIR = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
REGION = "ap-southeast-1"


@dataclass(frozen=True)
class Registered:
    type: str
    name: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    parent: str | None


def _physical_name(logical: str) -> str:
    """Pulumi auto-naming: the logical name plus a random suffix (made deterministic here)."""
    return f"{logical}-{hashlib.sha256(logical.encode()).hexdigest()[:7]}"


def _aws_outputs(type_: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    physical = inputs.get("name") or inputs.get("namePrefix", "") + _physical_name(name)
    arn_by_type = {
        "aws:kinesis/stream:Stream": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{physical}",
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (
            f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{physical}"
        ),
        "aws:iam/role:Role": f"arn:aws:iam::{ACCOUNT}:role/{physical}",
        "aws:iam/policy:Policy": f"arn:aws:iam::{ACCOUNT}:policy/{physical}",
        "aws:cloudwatch/logGroup:LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{physical}",
        "aws:cloudwatch/metricAlarm:MetricAlarm": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{physical}",
        "aws:s3/bucket:Bucket": f"arn:aws:s3:::{physical}",
        "aws:wafv2/webAcl:WebAcl": f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/{physical}/0a1b2c3d",
        "aws:sqs/queue:Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{physical}",
        "aws:dynamodb/table:Table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{physical}",
        "aws:lambda/function:Function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{physical}",
        "aws:scheduler/schedule:Schedule": f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/default/{physical}",
    }
    outputs = {**inputs, "name": physical}
    if type_ in arn_by_type:
        outputs["arn"] = arn_by_type[type_]
    if type_ == "aws:s3/bucket:Bucket":
        outputs["bucket"] = physical
    if type_ == "aws:sqs/queue:Queue":
        outputs["url"] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{physical}"
    if type_ == "aws:cloudwatch/logStream:LogStream":
        outputs["arn"] = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{inputs['logGroupName']}:log-stream:{physical}"
    outputs.update(_api_gateway_outputs(type_, physical, inputs))
    physical_id = inputs.get("bucket", physical) if type_.startswith("aws:s3/bucket") else physical
    return physical_id, outputs


def _api_gateway_outputs(type_: str, physical: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """What API Gateway computes: a REST API's root resource and execution ARN, a stage's ARN and invoke URL."""
    if type_ == "aws:apigateway/restApi:RestApi":
        return {
            "rootResourceId": f"{physical}-root",
            "executionArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{physical}",
            "arn": f"arn:aws:apigateway:{REGION}::/restapis/{physical}",
        }
    if type_ == "aws:apigateway/stage:Stage":
        api, stage = inputs["restApi"], inputs["stageName"]
        return {
            "arn": f"arn:aws:apigateway:{REGION}::/restapis/{api}/stages/{stage}",
            "invokeUrl": f"https://{api}.execute-api.{REGION}.amazonaws.com/{stage}",
        }
    return {}


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[Registered] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        physical_id, outputs = _aws_outputs(args.typ, args.name, dict(args.inputs))
        self.resources.append(Registered(args.typ, args.name, dict(args.inputs), outputs, None))
        return physical_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/ci",
                "userId": "AIDAEXAMPLE",
                "id": ACCOUNT,
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {
                "name": REGION,
                "region": REGION,
                "id": REGION,
                "description": "Asia Pacific (Singapore)",
                "endpoint": f"ec2.{REGION}.amazonaws.com",
            }
        raise NotImplementedError(f"no mock for invoke {args.token}")


class RecordingMonitor(pulumi.runtime.mocks.MockMonitor):
    """Also remembers each registration's parent and explicit dependencies, which the Mocks API does not pass on."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.parent_by_name: dict[str, str | None] = {}
        self.dependencies_by_name: dict[str, set[str]] = {}
        self.protected: set[str] = set()
        self.retained_on_delete: set[str] = set()

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        self.parent_by_name[request.name] = request.parent.rsplit("::", 1)[-1] if request.parent else None
        self.dependencies_by_name[request.name] = {urn.rsplit("::", 1)[-1] for urn in request.dependencies}
        if request.protect:
            self.protected.add(request.name)
        if request.retainOnDelete:
            self.retained_on_delete.add(request.name)
        return response


class Graph:
    """The resources one program or component registered, with the name of each one's parent."""

    def __init__(self, mocks: RecordingMocks, monitor: RecordingMonitor) -> None:
        self.parent_by_name = monitor.parent_by_name
        self.dependencies_by_name = monitor.dependencies_by_name
        self.protected = monitor.protected
        self.retained_on_delete = monitor.retained_on_delete
        self.resources = [
            Registered(r.type, r.name, r.inputs, r.outputs, monitor.parent_by_name.get(r.name)) for r in mocks.resources
        ]

    def of_type(self, type_: str) -> list[Registered]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> Registered:
        found = self.of_type(type_)
        assert len(found) == 1, f"expected one {type_}, found {[r.name for r in found]}"
        return found[0]

    def named(self, name: str) -> Registered:
        found = [r for r in self.resources if r.name == name]
        assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
        return found[0]

    def policy(self, resource: Registered, key: str = "policy") -> dict[str, Any]:
        return json.loads(resource.inputs[key])


def _reset(mocks: RecordingMocks, stack: str) -> RecordingMonitor:
    ROOT.set(None)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    return monitor


def _settle(*outputs: Any) -> Any:
    resolved = _sync_await(pulumi.Output.all(*outputs).future()) if outputs else None
    _sync_await(wait_for_rpcs())
    return resolved


@pytest.fixture
def build() -> Callable[[Callable[[], Any]], tuple[Graph, Any]]:
    """Run `make()` (which builds components) under fresh mocks; return the graph and make()'s result."""

    def run(make: Callable[[], Any], stack: str = "test") -> tuple[Graph, Any]:
        mocks = RecordingMocks()
        monitor = _reset(mocks, stack)
        pulumi.runtime.set_all_config({})
        result = make()
        _settle()
        return Graph(mocks, monitor), result

    return run


def stack_config(stack: str) -> dict[str, str]:
    """A stack file's config as the engine passes it to the program: every value a string, structured
    values JSON-encoded."""
    document = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())
    return {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in (document.get("config") or {}).items()
    }


PROD_ALARM_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:tracking-pipeline-alarms"
"""Stands for the on-call topic an operator sets with `pulumi config set alarmTopicArn ... --stack prod`."""
OPERATOR_SET = {"prod": {f"{PROJECT}:alarmTopicArn": PROD_ALARM_TOPIC}}
"""Values a stack requires that its file leaves to the operator (the account's own ARNs)."""


def deployable_stack_config(stack: str) -> dict[str, str]:
    """A stack file's config plus what the operator sets before the first deploy: what `pulumi up` runs with."""
    return {**stack_config(stack), **OPERATOR_SET.get(stack, {})}


@dataclass
class ProgramRun:
    graph: Graph
    outputs: dict[str, Any]


@pytest.fixture
def run_program() -> Iterator[Callable[[dict[str, str], str], ProgramRun]]:
    """Run __main__.py as `pulumi up` would, with the given stack config; return graph and resolved exports."""

    def run(config: dict[str, str], stack: str = "dev") -> ProgramRun:
        mocks = RecordingMocks()
        monitor = _reset(mocks, stack)
        pulumi.runtime.set_all_config(config)
        runpy.run_path(str(PROJECT_DIR / "__main__.py"), run_name="__main__")
        exported = ROOT.get().outputs
        names = list(exported)
        values = _settle(*(exported[name] for name in names))
        return ProgramRun(Graph(mocks, monitor), dict(zip(names, values, strict=True)))

    yield run
    pulumi.runtime.set_all_config({})


@pytest.fixture(autouse=True)
def stand_in_archive(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The program references the functions' archive `make lambda` builds; under mocks its content is never read,
    so a small zip stands in for it (tests/packaging checks the real one)."""
    import zipfile

    from components.core.job import ARCHIVE_ENVIRONMENT

    path = tmp_path_factory.getbasetemp() / "stand-in-ingest-job.zip"
    if not path.exists():
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("ingest/job/handlers.py", "")
    monkeypatch.setenv(ARCHIVE_ENVIRONMENT, str(path))
    return path
