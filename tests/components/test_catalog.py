"""The query catalog under Pulumi mocks: the Glue table as the data dictionary and key layout say, the Athena
workgroup's enforced settings and named queries, the results bucket, and Firehose's Parquet conversion with exactly
the Glue permissions it needs."""

from __future__ import annotations

import pytest

from components import TrackingPipeline, TrackingPipelineArgs
from components.core.catalog import partition_keys, table_columns
from components.core.data_dictionary import load_record_schema
from components.core.named_queries import load_named_queries

from .conftest import ACCOUNT, REGION

RECORD_SCHEMA = load_record_schema()

DATABASE = "aws:glue/catalogDatabase:CatalogDatabase"
TABLE = "aws:glue/catalogTable:CatalogTable"
WORKGROUP = "aws:athena/workgroup:Workgroup"
NAMED_QUERY = "aws:athena/namedQuery:NamedQuery"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
CUSTOMER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PARQUET = {"record_format": "parquet", "compression": "UNCOMPRESSED", "buffering_size_mb": 64}


@pytest.fixture
def pipeline(build):
    def make(**kwargs):
        return build(lambda: TrackingPipeline("tp", args=TrackingPipelineArgs(**kwargs)))

    return make


def _statements(graph):
    return {statement["Sid"]: statement for statement in graph.policy(graph.one(ROLE_POLICY))["Statement"]}


def test_the_glue_table_is_the_data_dictionary_located_at_the_data_prefix(pipeline):
    graph, _ = pipeline(data_prefix="prices/")
    database, table = graph.one(DATABASE), graph.one(TABLE)
    assert database.inputs["name"] == "tp_test"
    assert (table.inputs["name"], table.inputs["databaseName"]) == ("price_record", "tp_test")
    assert table.inputs["tableType"] == "EXTERNAL_TABLE"
    storage = table.inputs["storageDescriptor"]
    bucket = graph.named("tp-bucket").outputs["bucket"]
    assert storage["location"] == f"s3://{bucket}/prices/"
    assert storage["columns"] == [
        {"name": c.name, "type": c.type, "comment": c.comment} for c in table_columns(RECORD_SCHEMA)
    ]
    assert [c["comment"] for c in storage["columns"][:-1]] == [
        field["description"] for field in RECORD_SCHEMA["properties"].values()
    ]
    assert table.inputs["partitionKeys"] == [
        {"name": k.name, "type": "int", "comment": k.comment} for k in partition_keys()
    ]
    assert table.parent == database.name


def test_json_delivery_is_read_with_the_openx_serde(pipeline):
    graph, _ = pipeline()
    table = graph.one(TABLE).inputs
    storage = table["storageDescriptor"]
    assert storage["serDeInfo"]["serializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert storage["inputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert table["parameters"]["classification"] == "json"


def test_every_hour_is_queryable_at_once_through_partition_projection(pipeline):
    graph, _ = pipeline()
    parameters = graph.one(TABLE).inputs["parameters"]
    bucket = graph.named("tp-bucket").outputs["bucket"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["storage.location.template"] == (
        f"s3://{bucket}/crypto/year=${{year}}/month=${{month}}/day=${{day}}/hour=${{hour}}/"
    )
    for key, (low, high, digits) in {
        "year": ("2024", "2044", "4"),
        "month": ("1", "12", "2"),
        "day": ("1", "31", "2"),
        "hour": ("0", "23", "2"),
    }.items():
        assert parameters[f"projection.{key}.type"] == "integer"
        assert parameters[f"projection.{key}.range"] == f"{low},{high}"
        assert parameters[f"projection.{key}.digits"] == digits


def test_the_workgroup_enforces_encrypted_results_and_a_scan_limit(pipeline):
    graph, _ = pipeline(athena_bytes_scanned_cutoff_mb=250)
    workgroup = graph.one(WORKGROUP).inputs
    results_bucket = graph.named("tp-query-results").outputs["bucket"]
    assert workgroup["name"] == "tp-test"
    configuration = workgroup["configuration"]
    assert configuration["enforceWorkgroupConfiguration"] is True
    assert configuration["bytesScannedCutoffPerQuery"] == 250_000_000
    assert configuration["engineVersion"] == {"selectedEngineVersion": "Athena engine version 3"}
    result = configuration["resultConfiguration"]
    assert result["outputLocation"] == f"s3://{results_bucket}/athena/"
    assert result["encryptionConfiguration"] == {"encryptionOption": "SSE_S3"}
    assert result["expectedBucketOwner"] == ACCOUNT
    assert workgroup["forceDestroy"] is False


def test_a_customer_key_encrypts_the_results_too(pipeline):
    graph, _ = pipeline(kms_key_arn=CUSTOMER_KEY)
    result = graph.one(WORKGROUP).inputs["configuration"]["resultConfiguration"]
    assert result["encryptionConfiguration"] == {"encryptionOption": "SSE_KMS", "kmsKeyArn": CUSTOMER_KEY}
    encryption = graph.named("tp-query-results-encryption").inputs["rules"][0]
    assert encryption["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == CUSTOMER_KEY


def test_results_live_in_their_own_protected_bucket_and_expire(pipeline):
    graph, _ = pipeline(athena_results_expiration_days=7)
    for block in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert graph.named("tp-query-results-public-access").inputs[block] is True
    statements = graph.policy(graph.named("tp-query-results-policy"))["Statement"]
    assert [s["Sid"] for s in statements] == ["DenyInsecureTransport"]
    [rule] = graph.named("tp-query-results-lifecycle").inputs["rules"]
    assert rule["expiration"] == {"days": 7}
    assert graph.named("tp-query-results").inputs["forceDestroy"] is True


def test_the_named_queries_are_the_sql_files_reading_the_qualified_table(pipeline):
    graph, _ = pipeline()
    queries = {q.inputs["name"]: q for q in graph.of_type(NAMED_QUERY)}
    assert set(queries) == {"daily_ohlc", "data_quality", "latest_24_hours"}
    for query in load_named_queries():
        registered = queries[query.name].inputs
        assert registered["query"] == query.render('"tp_test"."price_record"')
        assert registered["description"] == query.description
        assert registered["database"] == "tp_test"
        assert registered["workgroup"] == graph.one(WORKGROUP).outputs["name"]


def test_json_delivery_keeps_the_newline_processor_and_converts_nothing(pipeline):
    graph, _ = pipeline()
    s3 = graph.one(FIREHOSE).inputs["extendedS3Configuration"]
    assert "dataFormatConversionConfiguration" not in s3
    assert s3["processingConfiguration"]["processors"] == [{"type": "AppendDelimiterToRecord"}]
    assert "ReadConversionSchema" not in _statements(graph)


def test_parquet_delivery_converts_with_the_glue_table_and_snappy(pipeline):
    graph, _ = pipeline(**PARQUET)
    s3 = graph.one(FIREHOSE).inputs["extendedS3Configuration"]
    role = graph.one("aws:iam/role:Role")
    conversion = s3["dataFormatConversionConfiguration"]
    assert conversion["enabled"] is True
    assert conversion["inputFormatConfiguration"] == {"deserializer": {"openXJsonSerDe": {"caseInsensitive": True}}}
    assert conversion["outputFormatConfiguration"] == {
        "serializer": {"parquetSerDe": {"compression": "SNAPPY", "enableDictionaryCompression": True}}
    }
    assert conversion["schemaConfiguration"] == {
        "databaseName": "tp_test",
        "tableName": "price_record",
        "roleArn": role.outputs["arn"],
        "region": REGION,
        "versionId": "LATEST",
    }
    assert s3["compressionFormat"] == "UNCOMPRESSED"
    assert s3["bufferingSize"] == 64
    assert s3["fileExtension"] == ".parquet"
    assert "processingConfiguration" not in s3
    table = graph.one(TABLE).inputs
    assert table["storageDescriptor"]["serDeInfo"]["serializationLibrary"].endswith("ParquetHiveSerDe")
    assert table["parameters"]["classification"] == "parquet"
    assert "tp-catalog-table" in graph.dependencies_by_name["tp-delivery"]


def test_the_firehose_role_may_read_that_one_table_and_nothing_else_in_glue(pipeline):
    graph, _ = pipeline(**PARQUET)
    statement = _statements(graph)["ReadConversionSchema"]
    assert statement["Action"] == ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"]
    prefix = f"arn:aws:glue:{REGION}:{ACCOUNT}"
    assert statement["Resource"] == [
        f"{prefix}:catalog",
        f"{prefix}:database/tp_test",
        f"{prefix}:table/tp_test/price_record",
    ]


def test_each_stack_gets_its_own_database_and_workgroup(build):
    graph, _ = build(lambda: TrackingPipeline("tracking", args=TrackingPipelineArgs()), stack="prod")
    assert graph.one(DATABASE).inputs["name"] == "tracking_prod"
    assert graph.one(WORKGROUP).inputs["name"] == "tracking-prod"


def test_outputs_name_the_database_table_and_workgroup(build):
    outputs: dict = {}

    def make():
        pipeline = TrackingPipeline("tp", args=TrackingPipelineArgs())
        for attribute in ("glue_database_name", "glue_table_name", "athena_workgroup_name"):
            getattr(pipeline, attribute).apply(lambda value, name=attribute: outputs.__setitem__(name, value))

    build(make)
    assert outputs == {
        "glue_database_name": "tp_test",
        "glue_table_name": "price_record",
        "athena_workgroup_name": "tp-test",
    }
