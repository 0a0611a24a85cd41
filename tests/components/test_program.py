"""The whole program (__main__.py) as `pulumi up` runs it, per stack, and the project files around it."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from components.core.stack_config import DECLARED_KEYS, TAGS_KEY, ConfigKey, ProgramKey, StackConfigError
from components.core.stack_outputs import ENDPOINT_OUTPUTS, JOB_OUTPUTS, PIPELINE_OUTPUTS
from tests.paths import PULUMI_PROJECT_SCHEMA

from .conftest import PROD_ALARM_TOPIC, PROJECT_DIR, REGION, deployable_stack_config, stack_config

PUBLISHED_OUTPUT_NAMES = {
    "streamName",
    "streamArn",
    "deliveryStreamName",
    "deliveryStreamArn",
    "bucketName",
    "bucketArn",
    "deliveryPrefix",
    "errorPrefix",
    "firehoseRoleArn",
    "producerPolicyArn",
    "logGroupName",
    "region",
    "bufferingIntervalSeconds",
    "glueDatabaseName",
    "glueTableName",
    "athenaWorkgroupName",
    "trackingEndpointUrl",
    "trackingApiId",
    "apiKeyId",
    "ingestQueueUrl",
    "ingestDlqUrl",
    "ledgerTableName",
    "plannerFunctionName",
    "workerFunctionName",
    "ingestReportPrefix",
}
"""The names users' stacks and scripts already read: written out once here, on purpose, so that renaming an entry
of the table fails this test instead of silently breaking a StackReference."""
STACK_OUTPUTS = {output.key for output in (*PIPELINE_OUTPUTS, *JOB_OUTPUTS)}
"""Both stacks run the tracking endpoint with API keys, and the ingest job."""


def test_the_output_table_keeps_every_published_name():
    assert STACK_OUTPUTS == PUBLISHED_OUTPUT_NAMES


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_program_runs_with_each_stack_file_and_exports_every_output(run_program, stack):
    run = run_program(deployable_stack_config(stack), stack)
    assert set(run.outputs) == STACK_OUTPUTS
    assert all(value not in (None, "") for value in run.outputs.values()), run.outputs
    assert run.outputs["region"] == REGION
    stream = run.graph.one("aws:kinesis/stream:Stream")
    assert run.outputs["streamArn"] == stream.outputs["arn"]
    assert run.outputs["deliveryPrefix"] == "crypto/"


def test_dev_stack_is_small_fast_and_disposable(run_program):
    run = run_program(stack_config("dev"), "dev")
    stream = run.graph.one("aws:kinesis/stream:Stream").inputs
    assert (stream["shardCount"], stream["retentionPeriod"]) == (1, 48)
    s3 = run.graph.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs["extendedS3Configuration"]
    assert (s3["bufferingSize"], s3["bufferingInterval"]) == (1, 60)
    bucket = run.graph.named("tracking-bucket")
    assert bucket.inputs["forceDestroy"] is True
    assert run.graph.protected == set()
    assert bucket.inputs["tags"]["environment"] == "dev"


def test_prod_stack_scales_keeps_data_protects_the_bucket_and_pages(run_program):
    run = run_program(deployable_stack_config("prod"), "prod")
    stream = run.graph.one("aws:kinesis/stream:Stream").inputs
    assert stream["streamModeDetails"] == {"streamMode": "ON_DEMAND"}
    assert stream["retentionPeriod"] > 48
    s3 = run.graph.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs["extendedS3Configuration"]
    assert s3["bufferingSize"] == 128
    assert run.graph.named("tracking-bucket").inputs["forceDestroy"] is False
    assert {"tracking-bucket"} <= run.graph.protected
    assert "tracking-bucket" in run.graph.retained_on_delete
    assert run.graph.named("tracking-bucket-lifecycle")
    assert len(run.graph.of_type("aws:s3/bucketLogging:BucketLogging")) == 2  # the data and query-results buckets
    topic = PROD_ALARM_TOPIC
    alarms = run.graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert len(alarms) == 9  # the pipeline's six; the ingest job's DLQ, queue-age and failed-planner-run alarms
    assert all(alarm.inputs["alarmActions"] == [topic] for alarm in alarms)


def test_prod_runs_its_own_waf_execution_logs_at_error_level_and_tracing_and_dev_none_of_them(run_program):
    prod = run_program(deployable_stack_config("prod"), "prod").graph
    assert prod.one("aws:wafv2/webAcl:WebAcl")
    assert prod.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    assert prod.one("aws:apigateway/methodSettings:MethodSettings").inputs["settings"]["loggingLevel"] == "ERROR"
    assert prod.one("aws:apigateway/stage:Stage").inputs["xrayTracingEnabled"] is True
    dev = run_program(stack_config("dev"), "dev").graph
    assert dev.of_type("aws:wafv2/webAcl:WebAcl") == []
    assert dev.one("aws:apigateway/methodSettings:MethodSettings").inputs["settings"]["loggingLevel"] == "OFF"
    assert dev.one("aws:apigateway/stage:Stage").inputs["xrayTracingEnabled"] is False


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_stack_runs_the_endpoint_with_api_keys_and_exports_the_key_id_not_its_value(run_program, stack):
    run = run_program(deployable_stack_config(stack), stack)
    api = run.graph.one("aws:apigateway/restApi:RestApi")
    key = run.graph.one("aws:apigateway/apiKey:ApiKey")
    assert run.outputs["trackingApiId"] == api.outputs["name"]
    assert run.outputs["apiKeyId"] == key.outputs["name"]
    assert (
        run.outputs["trackingEndpointUrl"] == f"https://{api.outputs['name']}.execute-api.{REGION}.amazonaws.com/live"
    )
    assert all(method.inputs["apiKeyRequired"] for method in run.graph.of_type("aws:apigateway/method:Method"))
    assert "value" not in key.inputs
    plan = run.graph.one("aws:apigateway/usagePlan:UsagePlan").inputs
    config = stack_config(stack)
    assert plan["throttleSettings"]["rateLimit"] == float(config["tracking-pipeline:httpRateLimit"])
    assert plan["quotaSettings"]["limit"] == int(config["tracking-pipeline:httpDailyQuota"])


def test_only_prod_manages_the_account_wide_api_gateway_logging_role_and_keeps_it_on_delete(run_program):
    """Both stacks deploy to one account and region, where API Gateway's CloudWatch Logs role is one setting."""
    assert stack_config("dev")["tracking-pipeline:httpSetAccountLogRole"] == "false"
    dev = run_program(stack_config("dev"), "dev")
    assert dev.graph.of_type("aws:apigateway/account:Account") == []
    prod = run_program(deployable_stack_config("prod"), "prod")
    account = prod.graph.one("aws:apigateway/account:Account")
    assert account.name in prod.graph.retained_on_delete
    assert stack_config("dev")["aws:region"] == stack_config("prod")["aws:region"]


def test_prod_fails_the_preview_without_its_alarm_topic_and_says_how_to_set_it(run_program):
    """The prod stack file carries no topic of its own (no placeholder account): the operator sets it."""
    assert "tracking-pipeline:alarmTopicArn" not in stack_config("prod")
    assert stack_config("prod")["tracking-pipeline:requireAlarmTopic"] == "true"
    with pytest.raises(StackConfigError) as caught:
        run_program(stack_config("prod"), "prod")
    assert str(caught.value) == (
        "tracking-pipeline:alarmTopicArn is required in stack prod (tracking-pipeline:requireAlarmTopic is true): "
        "set it with: pulumi config set alarmTopicArn arn:aws:sns:<region>:<account>:<topic> --stack prod"
    )
    with pytest.raises(StackConfigError, match="alarmTopicArn is required"):
        run_program({**stack_config("prod"), "tracking-pipeline:alarmTopicArn": ""}, "prod")


def test_a_stack_that_requires_a_topic_runs_once_it_is_set_and_one_that_does_not_runs_without(run_program):
    prod = run_program({**stack_config("prod"), "tracking-pipeline:alarmTopicArn": PROD_ALARM_TOPIC}, "prod")
    assert {tuple(a.inputs["alarmActions"]) for a in prod.graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")} == {
        (PROD_ALARM_TOPIC,)
    }
    assert "tracking-pipeline:requireAlarmTopic" not in stack_config("dev")
    dev = run_program(stack_config("dev"), "dev")
    assert all(a.inputs["alarmActions"] == [] for a in dev.graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"))


def test_requiring_a_topic_without_alarms_is_refused(run_program):
    config = {**deployable_stack_config("prod"), "tracking-pipeline:enableAlarms": "false"}
    with pytest.raises(StackConfigError, match="requireAlarmTopic is true but tracking-pipeline:enableAlarms is false"):
        run_program(config, "prod")


def test_unset_config_keeps_the_component_defaults(run_program):
    run = run_program({"aws:region": REGION}, "bare")
    stream = run.graph.one("aws:kinesis/stream:Stream").inputs
    assert (stream["shardCount"], stream["retentionPeriod"]) == (1, 48)
    assert set(run.outputs) == {output.key for output in PIPELINE_OUTPUTS if output not in ENDPOINT_OUTPUTS}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("shardCount", "two", "tracking-pipeline:shardCount: expected an integer, got 'two'"),
        ("shardCount", "0", "tracking-pipeline:shardCount=0 is invalid: expected at least 1"),
        ("retentionHours", "10000", "tracking-pipeline:retentionHours=10000 is invalid: expected between 24 and 8760"),
        ("bufferingSizeMb", "500", "tracking-pipeline:bufferingSizeMb=500 is invalid: expected between 1 and 128"),
        ("dataPrefix", "crypto", "tracking-pipeline:dataPrefix='crypto' is invalid"),
        ("errorPrefix", "", "tracking-pipeline:errorPrefix='' is invalid: required"),
        ("forceDestroy", "maybe", "tracking-pipeline:forceDestroy: expected true or false, got 'maybe'"),
        ("shardLevelMetrics", '"IncomingBytes"', "tracking-pipeline:shardLevelMetrics: expected a list of strings"),
        ("tags", '["a"]', "tracking-pipeline:tags: expected a map of tag names to string values"),
        ("requireAlarmTopic", "yes", "tracking-pipeline:requireAlarmTopic: expected true or false, got 'yes'"),
        ("shardCont", "2", "tracking-pipeline:shardCont is not a config key of this project"),
        (
            "httpMaxBatchRecords",
            "501",
            "tracking-pipeline:httpMaxBatchRecords=501 is invalid: expected between 1 and 500",
        ),
        ("httpRateLimit", "0", "tracking-pipeline:httpRateLimit=0 is invalid: expected at least 1"),
        ("httpBurstLimit", "-1", "tracking-pipeline:httpBurstLimit=-1 is invalid: expected at least 1"),
        ("httpCorsOrigins", '["*"]', "tracking-pipeline:httpCorsOrigins=['*'] is invalid: '*' is not a URL origin"),
        ("httpAuth", "open", "tracking-pipeline:httpAuth='open' is invalid: expected one of api_key, iam, none"),
        ("httpWafAclArn", "my-acl", "tracking-pipeline:httpWafAclArn='my-acl' is invalid"),
        ("httpExecutionLogLevel", "DEBUG", "tracking-pipeline:httpExecutionLogLevel='DEBUG' is invalid"),
        ("httpWafRateLimit", "5", "tracking-pipeline:httpWafRateLimit=5 is invalid: expected between 10 and"),
    ],
)
def test_invalid_stack_config_fails_naming_the_key_and_value(run_program, key, value, message):
    config = {**stack_config("dev"), f"tracking-pipeline:{key}": value}
    with pytest.raises(StackConfigError) as caught:
        run_program(config, "dev")
    assert message in str(caught.value)


def _project() -> dict:
    return yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())


def test_pulumi_yaml_validates_against_pulumis_project_schema():
    schema = json.loads(PULUMI_PROJECT_SCHEMA.read_text())
    jsonschema.validate(_project(), schema)
    runtime = _project()["runtime"]
    assert runtime["name"] == "python"
    assert runtime["options"]["virtualenv"] == ".venv"


def test_schema_check_does_reject_a_broken_project_file():
    schema = json.loads(PULUMI_PROJECT_SCHEMA.read_text())
    broken = {**_project(), "config": {"shardCount": {"type": "number"}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_pulumi_yaml_declares_exactly_the_keys_the_program_reads_with_the_component_defaults():
    declared = _project()["config"]
    assert list(declared) == [spec.key for spec in DECLARED_KEYS]
    for spec in DECLARED_KEYS:
        assert declared[spec.key]["type"] == spec.type, spec.key
        assert declared[spec.key]["description"] == spec.description, spec.key
        assert declared[spec.key]["default"] == spec.default(), spec.key


def test_stack_files_only_use_known_keys():
    known = {f"tracking-pipeline:{spec.key}" for spec in DECLARED_KEYS} | {
        f"tracking-pipeline:{TAGS_KEY}",
        "aws:region",
    }
    for stack in ("dev", "prod"):
        assert set(stack_config(stack)) <= known, stack


def _documented_row(spec: ConfigKey | ProgramKey) -> str:
    """The config table's row for a key: its type, its default as Pulumi.yaml declares it, its description."""
    default = spec.default()
    shown = '`""` (none)' if default == "" else f"`{json.dumps(default)}`"
    return f"| `{spec.key}` | {spec.type} | {shown} | {spec.description} |"


def test_the_configuration_page_documents_every_config_key_as_declared_and_every_output():
    page = (PROJECT_DIR / "docs" / "configuration.md").read_text(encoding="utf-8")
    keys_section, outputs_section = page.split("\n## Outputs\n", 1)
    for spec in DECLARED_KEYS:
        assert _documented_row(spec) in keys_section, f"docs/configuration.md should have: {_documented_row(spec)}"
    assert f"| `{TAGS_KEY}` |" in keys_section
    first_cells = [line.split("|")[1] for line in outputs_section.splitlines() if line.startswith("| `")]
    for output in STACK_OUTPUTS:
        assert any(f"`{output}`" in cell for cell in first_cells), f"docs/configuration.md: no Outputs row for {output}"


def test_an_existing_web_acl_in_a_stack_that_runs_its_own_is_refused_naming_the_key(run_program):
    acl = "arn:aws:wafv2:ap-southeast-1:123456789012:regional/webacl/shared/0a1b"
    config = {**deployable_stack_config("prod"), "tracking-pipeline:httpWafAclArn": acl}
    with pytest.raises(StackConfigError) as caught:
        run_program(config, "prod")
    assert str(caught.value).startswith(f"tracking-pipeline:httpWafAclArn={acl!r} is invalid: cannot be combined")
