"""examples/reuse-component: two TrackingPipelines with different settings in one stack."""

from __future__ import annotations

import json
from collections import Counter

import jsonschema
import yaml

from components.core.stack_outputs import BUCKET_NAME, DELIVERY_PREFIX, PRODUCER_POLICY_ARN, STREAM_NAME
from tests.paths import PULUMI_PROJECT_SCHEMA

from .conftest import EXAMPLES_DIR, PROJECT_DIR, project_name

EXAMPLE = "reuse-component"
COMPONENT = "tracking:index:TrackingPipeline"
STREAM = "aws:kinesis/stream:Stream"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
PRODUCTS = ("clickstream", "prices")


def owner(graph, name: str) -> str | None:
    """The TrackingPipeline a resource belongs to: the first component up its parent chain."""
    components = {resource.name for resource in graph.of_type(COMPONENT)}
    parent = graph.parent_by_name.get(name)
    while parent is not None and parent not in components:
        parent = graph.parent_by_name.get(parent)
    return parent


def test_two_components_register_without_a_name_collision(run_example):
    graph = run_example(EXAMPLE).graph
    assert sorted(resource.name for resource in graph.of_type(COMPONENT)) == sorted(PRODUCTS)
    # Pulumi identifies a resource by type and name (its URN): two instances must not produce the same pair.
    urns = Counter((resource.type, resource.name) for resource in graph.resources)
    assert [urn for urn, count in urns.items() if count > 1] == []
    # Nor may they ask AWS for the same physical name (log streams are named within their own log group, Glue
    # tables within their own database, Athena named queries within their own workgroup).
    scoped = (
        "aws:cloudwatch/logStream:LogStream",
        "aws:glue/catalogTable:CatalogTable",
        "aws:athena/namedQuery:NamedQuery",
    )
    physical = Counter(
        (resource.type, resource.outputs.get("name"))
        for resource in graph.resources
        if resource.type not in scoped and resource.outputs.get("name")
    )
    assert [name for name, count in physical.items() if count > 1] == []


def test_each_child_is_parented_to_its_own_component(run_example):
    graph = run_example(EXAMPLE).graph
    children = {product: [] for product in PRODUCTS}
    for resource in graph.resources:
        if resource.type == COMPONENT:
            assert resource.parent == f"{project_name(EXAMPLE)}-dev", f"{resource.name} is not directly in the stack"
            continue
        product = owner(graph, resource.name)
        assert product in PRODUCTS, f"{resource.name} belongs to no data product"
        assert resource.name.startswith(f"{product}-"), f"{resource.name} is under {product}"
        children[product].append(resource.name)
    # Both instances build the whole pipeline (same resource kinds), each under its own name.
    kinds = {product: sorted(name.removeprefix(f"{product}-") for name in names) for product, names in children.items()}
    assert kinds["clickstream"] == kinds["prices"]
    assert len(kinds["clickstream"]) > 10


def test_each_instance_gets_its_own_settings(run_example):
    graph = run_example(EXAMPLE).graph
    streams = {owner(graph, r.name): r.inputs for r in graph.of_type(STREAM)}
    assert streams["clickstream"]["streamModeDetails"] == {"streamMode": "ON_DEMAND"}
    assert "shardCount" not in streams["clickstream"]
    assert streams["prices"]["streamModeDetails"] == {"streamMode": "PROVISIONED"}
    assert streams["prices"]["shardCount"] == 1
    assert (streams["clickstream"]["retentionPeriod"], streams["prices"]["retentionPeriod"]) == (24, 168)

    delivery = {owner(graph, r.name): r.inputs["extendedS3Configuration"] for r in graph.of_type(FIREHOSE)}
    assert delivery["clickstream"]["prefix"].startswith("clickstream/year=")
    assert delivery["prices"]["prefix"].startswith("prices/year=")
    assert (delivery["clickstream"]["bufferingInterval"], delivery["prices"]["bufferingInterval"]) == (60, 900)
    assert (delivery["clickstream"]["bufferingSize"], delivery["prices"]["bufferingSize"]) == (16, 128)
    # Each delivery stream reads its own stream and writes its own bucket.
    for product in PRODUCTS:
        stream = graph.named(f"{product}-stream")
        bucket = graph.named(f"{product}-bucket")
        firehose = graph.named(f"{product}-delivery").inputs
        assert firehose["kinesisSourceConfiguration"]["kinesisStreamArn"] == stream.outputs["arn"]
        assert firehose["extendedS3Configuration"]["bucketArn"] == bucket.outputs["arn"]
        assert bucket.inputs["tags"]["data-product"] == product


def test_each_product_exports_its_own_stream_bucket_and_producer_policy(run_example):
    run = run_example(EXAMPLE, stack="staging")
    assert set(run.outputs) == set(PRODUCTS)
    for product in PRODUCTS:
        exported = run.outputs[product]
        assert exported[STREAM_NAME.key] == run.graph.named(f"{product}-stream").outputs["name"]
        assert exported[BUCKET_NAME.key] == run.graph.named(f"{product}-bucket").outputs["bucket"]
        assert exported[DELIVERY_PREFIX.key] == f"{product}/"
        assert exported[PRODUCER_POLICY_ARN.key] == run.graph.named(f"{product}-producer-policy").outputs["arn"]
    assert run.graph.named("prices-bucket").inputs["tags"]["environment"] == "staging"


def test_project_file_is_valid_and_installs_the_component_from_this_repository():
    example = EXAMPLES_DIR / EXAMPLE
    project = yaml.safe_load((example / "Pulumi.yaml").read_text())
    jsonschema.validate(project, json.loads(PULUMI_PROJECT_SCHEMA.read_text()))
    installs = [line for line in (example / "requirements.txt").read_text().splitlines() if line.startswith("-e ")]
    assert len(installs) == 1
    assert (example / installs[0].removeprefix("-e ").strip()).resolve() == PROJECT_DIR
