"""The pack as the engine runs it: `python -m pulumi.policy <engine> .` in the pack directory (what
pulumi-analyzer-policy-python runs inside the pack's virtualenv), spoken to over the analyzer gRPC protocol.

No Pulumi CLI here, so this test plays the engine: it sets the environment the engine gives a pack (PULUMI_STACK,
PULUMI_PROJECT, PULUMI_DRY_RUN), reads the port the pack prints, and calls it as `pulumi preview` would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import policies
import pytest
from google.protobuf import empty_pb2, struct_pb2
from harness import PACK_DIR
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

pytestmark = pytest.mark.e2e

Analyzer = analyzer_pb2_grpc.AnalyzerStub


@pytest.fixture
def start_pack() -> Iterator[Callable[[str], Analyzer]]:
    started: list[subprocess.Popen[str]] = []

    def start(stack: str) -> Analyzer:
        env = {**os.environ, "PULUMI_STACK": stack, "PULUMI_PROJECT": "tracking-pipeline", "PULUMI_DRY_RUN": "true"}
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
            cwd=PACK_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read() if process.stderr else "no output"
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        return analyzer_pb2_grpc.AnalyzerStub(channel)

    yield start
    for process in started:
        process.kill()
        process.communicate()


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(props)
    return struct


def analyze(analyzer: Analyzer, resource_type: str, props: dict[str, Any]) -> list[Any]:
    request = analyzer_pb2.AnalyzeRequest(
        type=resource_type, properties=_struct(props), urn=f"urn:pulumi:prod::p::{resource_type}::r", name="r"
    )
    return list(analyzer.Analyze(request).diagnostics)


def test_pack_announces_every_policy_as_mandatory(start_pack):
    info = start_pack("prod").GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "tracking-pipeline"
    assert {policy.name: policy.enforcementLevel for policy in info.policies} == {
        policy.name: analyzer_pb2.MANDATORY for policy in policies.POLICIES
    }


def test_violation_reaches_the_engine_as_mandatory(start_pack):
    [diagnostic] = analyze(start_pack("prod"), policies.STREAM_TYPE, {"encryptionType": "NONE"})
    assert (diagnostic.policyName, diagnostic.enforcementLevel) == ("kinesis-stream-encrypted", analyzer_pb2.MANDATORY)


def test_pack_learns_the_stack_from_the_engine_environment(start_pack):
    suspended = {"bucket": "b", "versioningConfiguration": {"status": "Suspended"}}
    assert analyze(start_pack("dev"), policies.VERSIONING_TYPES[0], suspended) == []
    [diagnostic] = analyze(start_pack("prod"), policies.VERSIONING_TYPES[0], suspended)
    assert diagnostic.policyName == "s3-bucket-versioning-enabled"


def test_unknown_value_during_preview_is_reported_as_not_run(start_pack):
    [diagnostic] = analyze(start_pack("prod"), "aws:iam/policy:Policy", {"policy": UNKNOWN_STRING_VALUE})
    assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
    assert "can't run policy 'iam-no-wildcard-allow'" in diagnostic.message


def test_stack_policy_runs_over_the_whole_stack(start_pack):
    bucket = analyzer_pb2.AnalyzerResource(
        type="aws:s3/bucket:Bucket", urn="urn:pulumi:prod::p::aws:s3/bucket:Bucket::data", name="data"
    )
    response = start_pack("prod").AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=[bucket]))
    assert {diagnostic.policyName for diagnostic in response.diagnostics} == {"s3-bucket-settings-present"}
    assert len(response.diagnostics) == 4
