"""TrackingPipeline under Pulumi mocks: each property asserted on the inputs the component registers."""

from __future__ import annotations

import pytest

from components import TrackingPipeline, TrackingPipelineArgs
from components.core.layout import delivery_prefix, error_output_prefix

from .conftest import ACCOUNT, REGION

STREAM = "aws:kinesis/stream:Stream"
BUCKET = "aws:s3/bucket:Bucket"
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CUSTOMER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:on-call"


@pytest.fixture
def pipeline(build):
    def make(**kwargs):
        return build(lambda: TrackingPipeline("tp", args=TrackingPipelineArgs(**kwargs)))

    return make


def test_every_child_is_parented_to_the_component_or_its_owning_sibling(pipeline):
    graph, _ = pipeline(enable_access_logging=True)
    component = graph.one("tracking:index:TrackingPipeline")
    for resource in graph.resources:
        if resource is component:
            continue
        assert resource.name.startswith("tp-"), f"{resource.name} is not named from the component"
        chain, parent = [], resource.parent
        while parent is not None and parent != component.name:
            chain.append(parent)
            parent = graph.parent_by_name.get(parent)
        assert parent == component.name, f"{resource.name} is not under the component (chain {chain})"
    for setting in ("public-access", "ownership", "encryption", "versioning", "policy", "lifecycle"):
        assert graph.named(f"tp-bucket-{setting}").parent == "tp-bucket"


def test_stream_is_provisioned_encrypted_with_the_aws_managed_key_and_metered(pipeline):
    graph, _ = pipeline(shard_count=3)
    stream = graph.one(STREAM).inputs
    assert stream["streamModeDetails"] == {"streamMode": "PROVISIONED"}
    assert stream["shardCount"] == 3
    assert stream["retentionPeriod"] == 48
    assert stream["encryptionType"] == "KMS"
    assert stream["kmsKeyId"] == "alias/aws/kinesis"
    assert {"IncomingBytes", "OutgoingBytes"} <= set(stream["shardLevelMetrics"])


def test_on_demand_stream_has_no_shard_count_and_customer_key_is_used(pipeline):
    graph, _ = pipeline(stream_mode="ON_DEMAND", kms_key_arn=CUSTOMER_KEY, retention_hours=168)
    stream = graph.one(STREAM).inputs
    assert stream["streamModeDetails"] == {"streamMode": "ON_DEMAND"}
    assert "shardCount" not in stream
    assert stream["kmsKeyId"] == CUSTOMER_KEY
    assert stream["retentionPeriod"] == 168


def test_bucket_blocks_public_access_disables_acls_encrypts_versions_and_requires_tls(pipeline):
    graph, _ = pipeline()
    bucket = graph.named("tp-bucket")
    assert bucket.inputs["forceDestroy"] is False
    public = graph.named("tp-bucket-public-access").inputs
    assert public["bucket"] == bucket.outputs["bucket"]
    for block in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert public[block] is True
    assert graph.named("tp-bucket-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    rule = graph.named("tp-bucket-encryption").inputs["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert graph.named("tp-bucket-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    statement = graph.policy(graph.named("tp-bucket-policy"))["Statement"][0]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statement["Resource"] == [bucket.outputs["arn"], f"{bucket.outputs['arn']}/*"]


def test_customer_key_switches_the_bucket_to_sse_kms_with_bucket_keys(pipeline):
    graph, _ = pipeline(kms_key_arn=CUSTOMER_KEY)
    rule = graph.named("tp-bucket-encryption").inputs["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": CUSTOMER_KEY}
    assert rule["bucketKeyEnabled"] is True
    assert graph.one(FIREHOSE).inputs["extendedS3Configuration"]["kmsKeyArn"] == CUSTOMER_KEY


def test_lifecycle_tiers_data_and_expires_noncurrent_versions(pipeline):
    graph, _ = pipeline(lifecycle_ia_days=45, lifecycle_glacier_days=120, lifecycle_noncurrent_expiration_days=10)
    rules = {rule["id"]: rule for rule in graph.named("tp-bucket-lifecycle").inputs["rules"]}
    assert rules["tier-delivered-data"]["filter"] == {"prefix": "crypto/"}
    assert rules["tier-delivered-data"]["transitions"] == [
        {"days": 45, "storageClass": "STANDARD_IA"},
        {"days": 120, "storageClass": "GLACIER_IR"},
    ]
    assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"] == {"noncurrentDays": 10}
    assert rules["abort-incomplete-multipart-uploads"]["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}


def test_objects_under_128_kb_stay_in_standard_by_an_explicit_choice(pipeline):
    """dev's small objects would cost more in STANDARD_IA or GLACIER_IR (each billed as 128 KB)."""
    graph, _ = pipeline()
    lifecycle = graph.named("tp-bucket-lifecycle").inputs
    assert lifecycle["transitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"


def test_lifecycle_and_versioning_can_be_switched_off(pipeline):
    graph, _ = pipeline(enable_lifecycle=False, enable_versioning=False)
    names = {r.name for r in graph.resources}
    assert "tp-bucket-lifecycle" not in names
    assert "tp-bucket-versioning" not in names


def test_force_destroy_only_where_asked(pipeline):
    graph, _ = pipeline(force_destroy=True)
    assert graph.named("tp-bucket").inputs["forceDestroy"] is True
    assert graph.protected == set()


def test_protected_bucket_cannot_be_deleted_and_is_retained_but_its_settings_stay_replaceable(pipeline):
    """Only the bucket holds data. Its settings are parented to it, and a child inherits `protect`: each one passes
    protect=False, or replacing an encryption rule or switching lifecycle off would be refused."""
    graph, _ = pipeline(protect_bucket=True, enable_access_logging=True)
    assert graph.protected == {"tp-bucket"}
    assert graph.retained_on_delete == {"tp-bucket"}
    children = {name for name, parent in graph.parent_by_name.items() if parent == "tp-bucket"}
    assert {f"tp-bucket-{setting}" for setting in ("public-access", "encryption", "policy", "lifecycle")} <= children
    assert "tp-bucket-logging" in children


def test_firehose_reads_the_stream_with_the_role_and_writes_the_bucket(pipeline):
    graph, _ = pipeline(buffering_size_mb=5, buffering_interval_seconds=60, data_prefix="prices/")
    firehose = graph.one(FIREHOSE).inputs
    stream, role, bucket = graph.one(STREAM), graph.one(ROLE), graph.named("tp-bucket")
    assert firehose["destination"] == "extended_s3"
    assert firehose["kinesisSourceConfiguration"] == {
        "kinesisStreamArn": stream.outputs["arn"],
        "roleArn": role.outputs["arn"],
    }
    s3 = firehose["extendedS3Configuration"]
    assert s3["roleArn"] == role.outputs["arn"]
    assert s3["bucketArn"] == bucket.outputs["arn"]
    assert (s3["bufferingSize"], s3["bufferingInterval"]) == (5, 60)
    assert s3["compressionFormat"] == "GZIP"
    assert (
        s3["prefix"] == "prices/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"
    )
    assert s3["prefix"] == delivery_prefix("prices/")
    assert "!{firehose:error-output-type}" in s3["errorOutputPrefix"]
    assert s3["errorOutputPrefix"] == error_output_prefix("errors/")
    assert s3["processingConfiguration"] == {"enabled": True, "processors": [{"type": "AppendDelimiterToRecord"}]}
    log_group = graph.one("aws:cloudwatch/logGroup:LogGroup")
    assert s3["cloudwatchLoggingOptions"] == {
        "enabled": True,
        "logGroupName": log_group.outputs["name"],
        "logStreamName": "DestinationDelivery",
    }
    assert log_group.inputs["retentionInDays"] == 30


def test_firehose_role_trusts_only_firehose_for_this_account(pipeline):
    graph, _ = pipeline()
    trust = graph.policy(graph.one(ROLE), "assumeRolePolicy")
    assert trust["Statement"] == [
        {
            "Sid": "FirehoseAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "firehose.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": ACCOUNT}},
        }
    ]


def test_firehose_policy_scopes_every_action_to_the_exact_resources(pipeline):
    graph, _ = pipeline()
    role_policy = graph.one(ROLE_POLICY)
    assert role_policy.inputs["role"] == graph.one(ROLE).outputs["name"]
    statements = {s["Sid"]: s for s in graph.policy(role_policy)["Statement"]}
    stream_arn = graph.one(STREAM).outputs["arn"]
    bucket_arn = graph.named("tp-bucket").outputs["arn"]
    log_stream_arn = graph.one("aws:cloudwatch/logStream:LogStream").outputs["arn"]
    assert statements["ReadSourceStream"]["Resource"] == stream_arn
    assert statements["LocateDestinationBucket"]["Resource"] == bucket_arn
    assert statements["WriteDeliveredObjects"]["Resource"] == [f"{bucket_arn}/crypto/*", f"{bucket_arn}/errors/*"]
    assert statements["LogDeliveryErrors"]["Resource"] == log_stream_arn
    assert "UseCustomerKey" not in statements


def test_customer_key_is_granted_to_firehose_and_producers_on_that_key_only_through_kinesis_and_s3(pipeline):
    """Every KMS grant names the service that calls KMS (kms:ViaService) and what it encrypts (the encryption
    context): the key cannot be used directly, nor for another stream or bucket."""
    graph, _ = pipeline(kms_key_arn=CUSTOMER_KEY)
    stream_arn = graph.one(STREAM).outputs["arn"]
    bucket_arn = graph.named("tp-bucket").outputs["arn"]
    firehose = {s["Sid"]: s for s in graph.policy(graph.one(ROLE_POLICY))["Statement"]}
    assert firehose["DecryptSourceStream"] == {
        "Sid": "DecryptSourceStream",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": CUSTOMER_KEY,
        "Condition": {
            "StringEquals": {
                "kms:ViaService": f"kinesis.{REGION}.amazonaws.com",
                "kms:EncryptionContext:aws:kinesis:arn": stream_arn,
            }
        },
    }
    assert firehose["EncryptDeliveredObjects"] == {
        "Sid": "EncryptDeliveredObjects",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": CUSTOMER_KEY,
        "Condition": {
            "StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"},
            # The bucket ARN: with an S3 Bucket Key (on with a customer key) S3 sends it, not the object's.
            "StringLike": {
                "kms:EncryptionContext:aws:s3:arn": [bucket_arn, f"{bucket_arn}/crypto/*", f"{bucket_arn}/errors/*"]
            },
        },
    }
    assert graph.named("tp-bucket-encryption").inputs["rules"][0]["bucketKeyEnabled"] is True
    producer = {s["Sid"]: s for s in graph.policy(graph.one(POLICY))["Statement"]}
    assert producer["EncryptWithCustomerKey"] == {
        "Sid": "EncryptWithCustomerKey",
        "Effect": "Allow",
        "Action": "kms:GenerateDataKey",
        "Resource": CUSTOMER_KEY,
        "Condition": {
            "StringEquals": {
                "kms:ViaService": f"kinesis.{REGION}.amazonaws.com",
                "kms:EncryptionContext:aws:kinesis:arn": stream_arn,
            }
        },
    }


def test_no_kms_statement_grants_a_key_without_naming_the_service_that_uses_it(pipeline, build):
    graph, _ = build(
        lambda: TrackingPipeline("tp", args=TrackingPipelineArgs(kms_key_arn=CUSTOMER_KEY, enable_http_endpoint=True))
    )
    kms_statements = [
        statement
        for resource in graph.resources
        if isinstance(resource.inputs.get("policy"), str)
        for statement in graph.policy(resource)["Statement"]
        if any(str(action).startswith("kms:") for action in _actions(statement))
    ]
    assert len(kms_statements) == 4  # Firehose: stream and bucket; producers; the endpoint role
    for statement in kms_statements:
        assert statement["Condition"]["StringEquals"]["kms:ViaService"].endswith(f".{REGION}.amazonaws.com")


def _actions(statement: dict) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def test_producer_policy_allows_writing_this_stream_only(pipeline):
    graph, _ = pipeline()
    statements = graph.policy(graph.one(POLICY))["Statement"]
    assert statements == [
        {
            "Sid": "WriteStream",
            "Effect": "Allow",
            "Action": [
                "kinesis:DescribeStreamSummary",
                "kinesis:ListShards",
                "kinesis:PutRecord",
                "kinesis:PutRecords",
            ],
            "Resource": graph.one(STREAM).outputs["arn"],
        }
    ]


FIREHOSE_KINESIS_SOURCE_METRICS = {
    # "Data ingestion through Kinesis Data Streams" and "Data delivery" of
    # https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html: what a Firehose
    # with a Kinesis source publishes. ThrottledRecords (Direct PUT only) is deliberately absent.
    "DataReadFromKinesisStream.Bytes",
    "DataReadFromKinesisStream.Records",
    "KinesisMillisBehindLatest",
    "ThrottledDescribeStream",
    "ThrottledGetRecords",
    "ThrottledGetShardIterator",
    "DeliveryToS3.Bytes",
    "DeliveryToS3.DataFreshness",
    "DeliveryToS3.Records",
    "DeliveryToS3.Success",
}


def _watched(alarm: dict) -> list[tuple[str, str, dict]]:
    """(namespace, metric, dimensions) of every metric an alarm reads, directly or in a metric math query."""
    if "metricName" in alarm:
        return [(alarm["namespace"], alarm["metricName"], alarm["dimensions"])]
    return [
        (query["metric"]["namespace"], query["metric"]["metricName"], query["metric"]["dimensions"])
        for query in alarm["metricQueries"]
        if "metric" in query
    ]


def test_alarms_watch_the_stream_and_the_delivery_and_notify_the_topic(pipeline):
    graph, _ = pipeline(buffering_interval_seconds=60, alarm_topic_arn=TOPIC)
    alarms = {a.name.removeprefix("tp-"): a.inputs for a in graph.of_type(ALARM)}
    watched = {name: [metric for _, metric, _ in _watched(alarm)] for name, alarm in alarms.items()}
    assert watched == {
        "iterator-age": ["GetRecords.IteratorAgeMilliseconds"],
        "write-throttled": ["WriteProvisionedThroughputExceeded"],
        "read-throttled": ["ReadProvisionedThroughputExceeded"],
        "data-freshness": ["DeliveryToS3.DataFreshness"],
        "delivery-success": ["DeliveryToS3.Success"],
        "source-throttled": ["ThrottledGetRecords", "ThrottledGetShardIterator", "ThrottledDescribeStream"],
    }
    stream_name = graph.one(STREAM).outputs["name"]
    delivery_name = graph.one(FIREHOSE).outputs["name"]
    for alarm in alarms.values():
        for namespace, _, dimensions in _watched(alarm):
            expected = {
                "AWS/Kinesis": {"StreamName": stream_name},
                "AWS/Firehose": {"DeliveryStreamName": delivery_name},
            }
            assert dimensions == expected[namespace]
    assert alarms["data-freshness"]["threshold"] == 2 * 60 + 300
    assert alarms["iterator-age"]["threshold"] == (2 * 60 + 300) * 1000
    assert alarms["delivery-success"]["comparisonOperator"] == "LessThanThreshold"
    for alarm in alarms.values():
        assert alarm["alarmActions"] == [TOPIC]
        assert alarm["okActions"] == [TOPIC]


def test_every_firehose_alarm_reads_a_metric_a_kinesis_sourced_firehose_publishes(pipeline):
    graph, _ = pipeline()
    firehose_metrics = {
        metric
        for alarm in graph.of_type(ALARM)
        for namespace, metric, _ in _watched(alarm.inputs)
        if namespace == "AWS/Firehose"
    }
    assert firehose_metrics, "no Firehose alarm at all"
    assert firehose_metrics <= FIREHOSE_KINESIS_SOURCE_METRICS, firehose_metrics - FIREHOSE_KINESIS_SOURCE_METRICS


def test_source_throttling_sums_the_three_throttle_metrics_with_missing_points_as_zero(pipeline):
    graph, _ = pipeline()
    alarm = graph.named("tp-source-throttled").inputs
    assert not {"metricName", "namespace", "statistic", "period"} & set(alarm)
    queries = {query["id"]: query for query in alarm["metricQueries"]}
    assert queries["total"] == {
        "id": "total",
        "expression": "SUM([FILL(m1, 0), FILL(m2, 0), FILL(m3, 0)])",
        "label": "source-throttled",
        "returnData": True,
    }
    for query_id in ("m1", "m2", "m3"):
        assert queries[query_id]["returnData"] is False
        assert (queries[query_id]["metric"]["stat"], queries[query_id]["metric"]["period"]) == ("Sum", 300)
    assert (alarm["threshold"], alarm["evaluationPeriods"], alarm["treatMissingData"]) == (0, 3, "notBreaching")


def test_alarms_can_be_switched_off(pipeline):
    graph, _ = pipeline(enable_alarms=False)
    assert graph.of_type(ALARM) == []


def test_access_logging_goes_to_a_separate_equally_protected_bucket(pipeline):
    graph, _ = pipeline(enable_access_logging=True, kms_key_arn=CUSTOMER_KEY, access_log_expiration_days=90)
    data, logs = graph.named("tp-bucket"), graph.named("tp-access-logs")
    results = graph.named("tp-query-results")
    logging = graph.named("tp-bucket-logging").inputs
    assert (logging["bucket"], logging["targetPrefix"]) == (data.outputs["bucket"], "s3-access/")
    assert logging["targetBucket"] == logs.outputs["bucket"]
    results_logging = graph.named("tp-query-results-logging").inputs
    assert (results_logging["bucket"], results_logging["targetPrefix"]) == (
        results.outputs["bucket"],
        "s3-access-query-results/",
    )
    assert results_logging["targetBucket"] == logs.outputs["bucket"]
    assert graph.parent_by_name["tp-query-results-logging"] == "tp-query-results"
    for block in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert graph.named("tp-access-logs-public-access").inputs[block] is True
    assert graph.named("tp-access-logs-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    encryption = graph.named("tp-access-logs-encryption").inputs["rules"][0]
    assert encryption["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    statements = {s["Sid"]: s for s in graph.policy(graph.named("tp-access-logs-policy"))["Statement"]}
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    delivery = statements["AllowServerAccessLogDelivery"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Condition"]["ArnLike"] == {"aws:SourceArn": [data.outputs["arn"], results.outputs["arn"]]}
    assert delivery["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    rules = {rule["id"]: rule for rule in graph.named("tp-access-logs-lifecycle").inputs["rules"]}
    assert rules["expire-access-logs"]["expiration"] == {"days": 90}
    assert rules["abort-incomplete-multipart-uploads"]["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}


def test_no_access_log_bucket_unless_asked(pipeline):
    graph, _ = pipeline()
    assert [b.name for b in graph.of_type(BUCKET)] == ["tp-bucket", "tp-query-results"]


def test_tags_are_merged_onto_every_taggable_resource(pipeline):
    graph, _ = pipeline(tags={"team": "data", "environment": "test"}, enable_access_logging=True)
    taggable = [r for r in graph.resources if r.type in (STREAM, BUCKET, FIREHOSE, ROLE, POLICY, ALARM)]
    taggable.append(graph.one("aws:cloudwatch/logGroup:LogGroup"))
    assert len(taggable) > 10
    for resource in taggable:
        assert resource.inputs["tags"] == {"tracking-pipeline": "tp", "team": "data", "environment": "test"}


def test_outputs_resolve_to_the_registered_resources(build):
    outputs: dict = {}

    def make():
        pipeline = TrackingPipeline("tp", args=TrackingPipelineArgs(data_prefix="prices/"))
        for attribute in (
            "stream_name",
            "stream_arn",
            "delivery_stream_name",
            "delivery_stream_arn",
            "bucket_name",
            "bucket_arn",
            "delivery_prefix",
            "error_prefix",
            "firehose_role_arn",
            "producer_policy_arn",
            "log_group_name",
            "region",
            "buffering_interval_seconds",
        ):
            getattr(pipeline, attribute).apply(lambda value, name=attribute: outputs.__setitem__(name, value))

    graph, _ = build(make)
    assert outputs == {
        "stream_name": graph.one(STREAM).outputs["name"],
        "stream_arn": graph.one(STREAM).outputs["arn"],
        "delivery_stream_name": graph.one(FIREHOSE).outputs["name"],
        "delivery_stream_arn": graph.one(FIREHOSE).outputs["arn"],
        "bucket_name": graph.named("tp-bucket").outputs["bucket"],
        "bucket_arn": graph.named("tp-bucket").outputs["arn"],
        "delivery_prefix": "prices/",
        "error_prefix": "errors/",
        "firehose_role_arn": graph.one(ROLE).outputs["arn"],
        "producer_policy_arn": graph.one(POLICY).outputs["arn"],
        "log_group_name": graph.one("aws:cloudwatch/logGroup:LogGroup").outputs["name"],
        "region": REGION,
        "buffering_interval_seconds": 300,
    }


def test_two_pipelines_in_one_stack_do_not_collide(build):
    graph, _ = build(
        lambda: (
            TrackingPipeline("clicks", args=TrackingPipelineArgs()),
            TrackingPipeline("prices", args=TrackingPipelineArgs(stream_mode="ON_DEMAND")),
        )
    )
    names = [r.name for r in graph.resources]
    assert len(names) == len(set(names))
    assert len(graph.of_type(STREAM)) == 2


def test_invalid_arguments_fail_before_any_resource_is_registered(build):
    with pytest.raises(ValueError, match="shard_count=0"):
        build(lambda: TrackingPipeline("tp", args=TrackingPipelineArgs(shard_count=0)))
