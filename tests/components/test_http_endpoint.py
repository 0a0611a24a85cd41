"""The tracking endpoint under Pulumi mocks: every resource, property and wire the component registers."""

from __future__ import annotations

import dataclasses
import json

import pytest

from components import TrackingPipeline, TrackingPipelineArgs
from components.core.api_models import batch_request_model, record_request_model
from components.core.data_dictionary import load_record_schema
from components.core.endpoint import ACCESS_LOG_FORMAT, GATEWAY_RESPONSES, endpoint_definition

from .conftest import ACCOUNT, REGION

API = "aws:apigateway/restApi:RestApi"
RESOURCE = "aws:apigateway/resource:Resource"
MODEL = "aws:apigateway/model:Model"
VALIDATOR = "aws:apigateway/requestValidator:RequestValidator"
METHOD = "aws:apigateway/method:Method"
INTEGRATION = "aws:apigateway/integration:Integration"
METHOD_RESPONSE = "aws:apigateway/methodResponse:MethodResponse"
INTEGRATION_RESPONSE = "aws:apigateway/integrationResponse:IntegrationResponse"
GATEWAY_RESPONSE = "aws:apigateway/response:Response"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
STAGE = "aws:apigateway/stage:Stage"
SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan"
API_KEY = "aws:apigateway/apiKey:ApiKey"
USAGE_PLAN_KEY = "aws:apigateway/usagePlanKey:UsagePlanKey"
ACCOUNT_SETTINGS = "aws:apigateway/account:Account"
WAF = "aws:wafv2/webAclAssociation:WebAclAssociation"
WEB_ACL_TYPE = "aws:wafv2/webAcl:WebAcl"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
STREAM = "aws:kinesis/stream:Stream"
CUSTOMER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
WEB_ACL = f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/tracking/0a1b2c3d"
ORIGINS = ["https://app.example.com", "http://localhost:3000"]


@pytest.fixture
def endpoint(build):
    def make(**kwargs):
        return build(lambda: TrackingPipeline("tp", args=TrackingPipelineArgs(enable_http_endpoint=True, **kwargs)))

    return make


def _by_name(graph, type_):
    return {resource.name: resource for resource in graph.of_type(type_)}


def test_no_endpoint_unless_asked(build):
    graph, _ = build(lambda: TrackingPipeline("tp", args=TrackingPipelineArgs()))
    assert not [r for r in graph.resources if r.type.startswith("aws:apigateway/") or r.type == WAF]
    assert [r.name for r in graph.of_type(ROLE)] == ["tp-firehose-role"]


def test_a_regional_rest_api_with_v1_records_and_v1_batch(endpoint):
    graph, _ = endpoint()
    api = graph.one(API)
    assert api.inputs["endpointConfiguration"] == {"types": "REGIONAL"}
    assert api.inputs["apiKeySource"] == "HEADER"
    resources = _by_name(graph, RESOURCE)
    assert set(resources) == {"tp-endpoint-v1", "tp-endpoint-records", "tp-endpoint-batch"}
    version = resources["tp-endpoint-v1"]
    assert (version.inputs["parentId"], version.inputs["pathPart"]) == (api.outputs["rootResourceId"], "v1")
    for part in ("records", "batch"):
        resource = resources[f"tp-endpoint-{part}"].inputs
        assert (resource["parentId"], resource["pathPart"], resource["restApi"]) == (
            version.outputs["name"],
            part,
            api.outputs["name"],
        )


def test_models_are_the_data_dictionary_as_json_schema_draft_4(endpoint):
    graph, _ = endpoint(http_max_batch_records=100)
    models = {model.inputs["name"]: model.inputs for model in graph.of_type(MODEL)}
    schema = load_record_schema()
    assert json.loads(models["TrackingRecord"]["schema"]) == record_request_model(schema)
    assert json.loads(models["TrackingBatch"]["schema"]) == batch_request_model(schema, 100)
    assert json.loads(models["TrackingBatch"]["schema"])["properties"]["records"]["maxItems"] == 100
    for model in models.values():
        assert model["contentType"] == "application/json"
        assert json.loads(model["schema"])["$schema"] == "http://json-schema.org/draft-04/schema#"


def test_both_posts_are_validated_against_their_model_and_need_an_api_key(endpoint):
    graph, _ = endpoint()
    validator = graph.one(VALIDATOR)
    assert (validator.inputs["validateRequestBody"], validator.inputs["validateRequestParameters"]) == (True, True)
    methods = _by_name(graph, METHOD)
    resources = _by_name(graph, RESOURCE)
    for part, model in (("records", "TrackingRecord"), ("batch", "TrackingBatch")):
        method = methods[f"tp-endpoint-{part}-post"].inputs
        assert method["httpMethod"] == "POST"
        assert method["resourceId"] == resources[f"tp-endpoint-{part}"].outputs["name"]
        assert method["requestValidatorId"] == validator.outputs["name"]
        assert method["requestModels"] == {"application/json": model}
        assert (method["authorization"], method["apiKeyRequired"]) == ("NONE", True)
    assert set(methods) == {"tp-endpoint-records-post", "tp-endpoint-batch-post"}


def test_integrations_put_records_into_the_stream_with_the_endpoint_role(endpoint):
    graph, _ = endpoint()
    role = _by_name(graph, ROLE)["tp-endpoint-role"]
    stream_name = graph.one(STREAM).outputs["name"]
    definition = endpoint_definition(load_record_schema())
    integrations = _by_name(graph, INTEGRATION)
    for part, action in (("records", "PutRecord"), ("batch", "PutRecords")):
        integration = integrations[f"tp-endpoint-{part}-integration"].inputs
        assert integration["type"] == "AWS"
        assert integration["integrationHttpMethod"] == "POST"
        assert integration["uri"] == f"arn:aws:apigateway:{REGION}:kinesis:action/{action}"
        assert integration["credentials"] == role.outputs["arn"]
        assert integration["passthroughBehavior"] == "NEVER"
        assert integration["requestParameters"] == {
            "integration.request.header.Content-Type": "'application/x-amz-json-1.1'"
        }
        route = definition.route(f"/v1/{part}")
        assert integration["requestTemplates"] == {"application/json": route.request_template(stream_name)}
        assert f'"StreamName":"{stream_name}"' in integration["requestTemplates"]["application/json"]


def test_kinesis_replies_map_to_clean_json_and_errors_to_429_502_503(endpoint):
    graph, _ = endpoint()
    definition = endpoint_definition(load_record_schema())
    responses = _by_name(graph, INTEGRATION_RESPONSE)
    method_responses = _by_name(graph, METHOD_RESPONSE)
    for part in ("records", "batch"):
        route = definition.route(f"/v1/{part}")
        for expected in route.responses:
            response = responses[f"tp-endpoint-{part}-{expected.status_code}-response"]
            assert response.inputs.get("selectionPattern") == expected.selection_pattern
            assert response.inputs["responseTemplates"] == {"application/json": expected.template}
            assert f"tp-endpoint-{part}-{expected.status_code}" in graph.dependencies_by_name[response.name]
        statuses = {
            m.inputs["statusCode"] for name, m in method_responses.items() if name.startswith(f"tp-endpoint-{part}-")
        }
        assert statuses == {"200", "429", "502", "503"}
    patterns = {r.inputs.get("selectionPattern") for r in responses.values()}
    assert patterns == {None, r"4\d{2}", r"5\d{2}"}


def test_the_role_trusts_api_gateway_as_aws_documents_it_and_may_only_put_records(endpoint):
    graph, _ = endpoint()
    role = _by_name(graph, ROLE)["tp-endpoint-role"]
    assert graph.policy(role, "assumeRolePolicy")["Statement"] == [
        {
            "Sid": "ApiGatewayAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    policy = _by_name(graph, ROLE_POLICY)["tp-endpoint-role-policy"]
    assert policy.inputs["role"] == role.outputs["name"]
    assert graph.policy(policy)["Statement"] == [
        {
            "Sid": "PutTrackingRecords",
            "Effect": "Allow",
            "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
            "Resource": graph.one(STREAM).outputs["arn"],
        }
    ]


def test_no_role_api_gateway_assumes_waits_for_a_key_api_gateway_never_sends(endpoint):
    """API Gateway sends neither aws:SourceAccount nor aws:SourceArn when it assumes an integration's (or the
    account's logging) role: a trust condition on either denies every AssumeRole, and every call fails with 500."""
    graph, _ = endpoint(http_set_account_log_role=True)
    trusted = [
        statement
        for role in graph.of_type(ROLE)
        for statement in graph.policy(role, "assumeRolePolicy")["Statement"]
        if statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    ]
    assert len(trusted) == 2
    for statement in trusted:
        keys = {key.lower() for condition in statement.get("Condition", {}).values() for key in condition}
        assert not keys & {"aws:sourceaccount", "aws:sourcearn"}, statement


def test_a_customer_key_is_granted_to_the_endpoint_role_for_that_key_only(endpoint):
    graph, _ = endpoint(kms_key_arn=CUSTOMER_KEY)
    statements = graph.policy(_by_name(graph, ROLE_POLICY)["tp-endpoint-role-policy"])["Statement"]
    assert statements[1] == {
        "Sid": "EncryptWithCustomerKey",
        "Effect": "Allow",
        "Action": "kms:GenerateDataKey",
        "Resource": CUSTOMER_KEY,
        "Condition": {
            "StringEquals": {
                "kms:ViaService": f"kinesis.{REGION}.amazonaws.com",
                "kms:EncryptionContext:aws:kinesis:arn": graph.one(STREAM).outputs["arn"],
            }
        },
    }


def test_the_stage_logs_every_request_to_its_own_log_group_with_retention(endpoint):
    graph, _ = endpoint(log_retention_days=90)
    log_group = _by_name(graph, LOG_GROUP)["tp-endpoint-access-logs"]
    assert log_group.inputs["retentionInDays"] == 90
    stage = graph.one(STAGE).inputs
    assert stage["stageName"] == "live"
    assert stage["accessLogSettings"] == {"destinationArn": log_group.outputs["arn"], "format": ACCESS_LOG_FORMAT}
    assert "$context.requestId" in json.loads(ACCESS_LOG_FORMAT).values()
    assert stage["deployment"] == graph.one(DEPLOYMENT).outputs["name"]
    assert stage["restApi"] == graph.one(API).outputs["name"]


def test_metrics_on_execution_logging_off_and_the_stage_throttled(endpoint):
    graph, _ = endpoint(http_rate_limit=50, http_burst_limit=80)
    settings = graph.one(SETTINGS).inputs
    assert settings["methodPath"] == "*/*"
    assert settings["stageName"] == "live"
    assert settings["settings"] == {
        "metricsEnabled": True,
        "loggingLevel": "OFF",
        "dataTraceEnabled": False,
        "throttlingRateLimit": 50.0,
        "throttlingBurstLimit": 80,
    }


SERVED = (RESOURCE, METHOD, INTEGRATION, METHOD_RESPONSE, INTEGRATION_RESPONSE, MODEL, VALIDATOR, GATEWAY_RESPONSE)
"""What a stage serves from its deployment: changing any of these reaches callers only through a new deployment."""


def _served(graph) -> dict[str, dict]:
    return {r.name: r.inputs for r in graph.resources if r.type in SERVED}


def _trigger(graph) -> str:
    return graph.one(DEPLOYMENT).inputs["triggers"]["definition"]


def test_the_deployment_follows_everything_it_serves_and_its_trigger_is_the_definitions_fingerprint(endpoint):
    graph, _ = endpoint()
    deployment = graph.one(DEPLOYMENT)
    assert set(_served(graph)) <= graph.dependencies_by_name[deployment.name]
    definition = endpoint_definition(load_record_schema())
    role_arn = _by_name(graph, ROLE)["tp-endpoint-role"].outputs["arn"]
    stream_name = graph.one(STREAM).outputs["name"]
    assert _trigger(graph) == definition.fingerprint(stream_name=stream_name, credentials_arn=role_arn, region=REGION)


@pytest.mark.parametrize(
    ("auth", "other"), [("api_key", "iam"), ("api_key", "none"), ("iam", "none")], ids=lambda value: value
)
def test_switching_the_authentication_redeploys_the_stage(endpoint, auth, other):
    """The bug this guards: a changed `http_auth` updated the methods in place, but the stage kept serving the
    old deployment, so callers saw no change."""
    first, _ = endpoint(http_auth=auth)
    second, _ = endpoint(http_auth=other)
    assert _trigger(first) != _trigger(second)


CHANGED_ARGUMENT = {
    "stream_mode": "ON_DEMAND",
    "shard_count": 2,
    "retention_hours": 72,
    "shard_level_metrics": ["IncomingBytes", "OutgoingBytes"],
    "kms_key_arn": CUSTOMER_KEY,
    "data_prefix": "prices/",
    "error_prefix": "failed/",
    "buffering_size_mb": 5,
    "buffering_interval_seconds": 60,
    "compression": "UNCOMPRESSED",
    "record_format": "parquet",
    "athena_bytes_scanned_cutoff_mb": 100,
    "athena_results_expiration_days": 7,
    "log_retention_days": 90,
    "force_destroy": True,
    "protect_bucket": True,
    "enable_versioning": False,
    "enable_lifecycle": False,
    "lifecycle_ia_days": 60,
    "lifecycle_glacier_days": 180,
    "lifecycle_noncurrent_expiration_days": 5,
    "enable_access_logging": True,
    "access_log_expiration_days": 30,
    "enable_alarms": False,
    "alarm_topic_arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:on-call",
    "http_auth": "none",
    "http_max_batch_records": 10,
    "http_rate_limit": 5,
    "http_burst_limit": 7,
    "http_daily_quota": None,
    "http_cors_origins": ORIGINS,
    "http_waf_acl_arn": WEB_ACL,
    "http_set_account_log_role": True,
    "http_enable_waf": True,
    "http_waf_rate_limit": 500,
    "http_execution_log_level": "ERROR",
    "http_enable_tracing": True,
    "tags": {"team": "data"},
}
"""A different value for every argument of the component (valid with its COMPANIONS)."""
COMPANIONS = {"record_format": {"compression": "UNCOMPRESSED"}}
"""Values an argument's change needs to be valid: Parquet conversion needs S3 compression off."""
NOT_CHANGED = {"enable_http_endpoint": "without it there is no stage to redeploy"}


def test_every_argument_has_a_changed_value_below():
    """A new argument must be added to CHANGED_ARGUMENT, so the next test proves whether it needs a redeploy."""
    assert set(CHANGED_ARGUMENT) | set(NOT_CHANGED) == {f.name for f in dataclasses.fields(TrackingPipelineArgs)}


@pytest.mark.parametrize("argument", sorted(CHANGED_ARGUMENT))
def test_the_stage_is_redeployed_exactly_when_what_it_serves_changes(endpoint, argument):
    """For every argument: if changing it changes any served resource (method, integration, model, validator,
    response...), the deployment's trigger changes too; if it changes none, the stage is not redeployed for
    nothing. A setting that reaches a served resource without going through the definition fails here."""
    base_served, base_trigger = _default_endpoint(endpoint)
    changed, _ = endpoint(**COMPANIONS.get(argument, {}), **{argument: CHANGED_ARGUMENT[argument]})
    serves_something_else = base_served != _served(changed)
    assert (base_trigger != _trigger(changed)) == serves_something_else, argument
    assert serves_something_else == (argument in CHANGES_WHAT_IS_SERVED), argument


CHANGES_WHAT_IS_SERVED = {"http_auth", "http_max_batch_records", "http_cors_origins"}
"""The arguments that change a served resource today (the test above checks this list, so it stays true)."""
_DEFAULT_ENDPOINT: list[tuple[dict[str, dict], str]] = []


def _default_endpoint(endpoint) -> tuple[dict[str, dict], str]:
    """Built once for the parametrized test above: its served resources and trigger."""
    if not _DEFAULT_ENDPOINT:
        graph, _ = endpoint()
        _DEFAULT_ENDPOINT.append((_served(graph), _trigger(graph)))
    return _DEFAULT_ENDPOINT[0]


def test_api_keys_come_with_a_usage_plan_of_rate_burst_and_daily_quota(endpoint):
    graph, _ = endpoint(http_rate_limit=30, http_burst_limit=60, http_daily_quota=5000)
    plan = graph.one(USAGE_PLAN)
    assert plan.inputs["apiStages"] == [{"apiId": graph.one(API).outputs["name"], "stage": "live"}]
    assert plan.inputs["throttleSettings"] == {"rateLimit": 30.0, "burstLimit": 60}
    assert plan.inputs["quotaSettings"] == {"limit": 5000, "period": "DAY"}
    key = graph.one(API_KEY)
    assert key.inputs["enabled"] is True
    assert "value" not in key.inputs
    link = graph.one(USAGE_PLAN_KEY).inputs
    assert (link["keyId"], link["keyType"], link["usagePlanId"]) == (
        key.outputs["name"],
        "API_KEY",
        plan.outputs["name"],
    )


def test_no_quota_when_none_is_asked_for(endpoint):
    graph, _ = endpoint(http_daily_quota=None)
    assert "quotaSettings" not in graph.one(USAGE_PLAN).inputs


@pytest.mark.parametrize(("auth", "authorization"), [("iam", "AWS_IAM"), ("none", "NONE")])
def test_iam_or_no_authentication_has_no_keys(endpoint, auth, authorization):
    graph, _ = endpoint(http_auth=auth)
    for method in graph.of_type(METHOD):
        assert (method.inputs["authorization"], method.inputs["apiKeyRequired"]) == (authorization, False)
    assert graph.of_type(API_KEY) == graph.of_type(USAGE_PLAN) == graph.of_type(USAGE_PLAN_KEY) == []
    assert graph.one(SETTINGS).inputs["settings"]["throttlingRateLimit"] == 100.0


def test_no_cors_by_default(endpoint):
    graph, _ = endpoint()
    assert {m.inputs["httpMethod"] for m in graph.of_type(METHOD)} == {"POST"}
    assert all("responseParameters" not in r.inputs for r in graph.of_type(GATEWAY_RESPONSE))
    assert all("responseParameters" not in r.inputs for r in graph.of_type(METHOD_RESPONSE))


def test_cors_answers_preflights_and_echoes_only_the_allowed_origins(endpoint):
    graph, _ = endpoint(http_cors_origins=ORIGINS)
    definition = endpoint_definition(load_record_schema(), cors_origins=ORIGINS)
    methods = _by_name(graph, METHOD)
    integrations = _by_name(graph, INTEGRATION)
    responses = _by_name(graph, INTEGRATION_RESPONSE)
    for part in ("records", "batch"):
        options = methods[f"tp-endpoint-{part}-options"].inputs
        assert (options["httpMethod"], options["authorization"], options["apiKeyRequired"]) == (
            "OPTIONS",
            "NONE",
            False,
        )
        mock = integrations[f"tp-endpoint-{part}-options-integration"].inputs
        assert mock["type"] == "MOCK"
        assert json.loads(mock["requestTemplates"]["application/json"]) == {"statusCode": 204}
        preflight = responses[f"tp-endpoint-{part}-options-204-response"].inputs
        assert (
            preflight["responseParameters"]["method.response.header.Access-Control-Allow-Methods"] == "'OPTIONS,POST'"
        )
        assert preflight["responseTemplates"] == {"application/json": definition.preflight_template}
        for origin in ORIGINS:
            assert f'"{origin}"' in definition.preflight_template
        success = responses[f"tp-endpoint-{part}-200-response"].inputs["responseTemplates"]["application/json"]
        assert success.startswith(definition.preflight_template)
    for response in graph.of_type(GATEWAY_RESPONSE):
        assert response.inputs["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == (
            "method.request.header.Origin"
        )


def test_api_gateway_errors_are_json(endpoint):
    graph, _ = endpoint()
    responses = {r.inputs["responseType"]: r.inputs for r in graph.of_type(GATEWAY_RESPONSE)}
    assert set(responses) == {response.response_type for response in GATEWAY_RESPONSES}
    assert responses["BAD_REQUEST_BODY"]["statusCode"] == "400"
    assert "validationErrorString" in responses["BAD_REQUEST_BODY"]["responseTemplates"]["application/json"]
    assert all(r["restApiId"] == graph.one(API).outputs["name"] for r in responses.values())


def test_a_web_acl_is_associated_with_the_stage_only_when_given(endpoint):
    graph, _ = endpoint()
    assert graph.of_type(WAF) == []
    graph, _ = endpoint(http_waf_acl_arn=WEB_ACL)
    association = graph.one(WAF).inputs
    assert association == {"resourceArn": graph.one(STAGE).outputs["arn"], "webAclArn": WEB_ACL}


def test_the_components_own_web_acl_runs_aws_managed_rules_and_a_rate_limit_and_logs_every_decision(endpoint):
    graph, _ = endpoint(http_enable_waf=True, http_waf_rate_limit=300, log_retention_days=90)
    acl = graph.one(WEB_ACL_TYPE)
    assert (acl.inputs["scope"], acl.inputs["defaultAction"]) == ("REGIONAL", {"allow": {}})
    rules = {rule["name"]: rule for rule in acl.inputs["rules"]}
    assert [rule["name"] for rule in sorted(acl.inputs["rules"], key=lambda rule: rule["priority"])] == [
        "rate-limit-per-ip",
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    ]
    assert rules["rate-limit-per-ip"]["action"] == {"block": {}}
    assert rules["rate-limit-per-ip"]["statement"]["rateBasedStatement"] == {
        "limit": 300,
        "aggregateKeyType": "IP",
        "evaluationWindowSec": 300,
    }
    for group in ("AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet"):
        assert rules[group]["overrideAction"] == {"none": {}}
        managed = rules[group]["statement"]["managedRuleGroupStatement"]
        assert (managed["vendorName"], managed["name"]) == ("AWS", group)
    for rule in [*rules.values(), acl.inputs]:
        visibility = rule["visibilityConfig"]
        assert visibility["cloudwatchMetricsEnabled"] and visibility["sampledRequestsEnabled"]
    association = graph.one(WAF).inputs
    assert association == {"resourceArn": graph.one(STAGE).outputs["arn"], "webAclArn": acl.outputs["arn"]}
    logging = graph.one(WAF_LOGGING).inputs
    log_group = _by_name(graph, LOG_GROUP)["tp-endpoint-waf-logs"]
    assert logging["resourceArn"] == acl.outputs["arn"]
    assert logging["logDestinationConfigs"] == [log_group.outputs["arn"]]
    assert log_group.outputs["name"].startswith("aws-waf-logs-")  # WAF refuses any other log group name
    assert log_group.inputs["retentionInDays"] == 90
    assert {field["singleHeader"]["name"] for field in logging["redactedFields"]} == {"x-api-key", "authorization"}


def test_batches_over_8_kb_are_not_blocked_by_the_common_rule_sets_body_size_rule(endpoint):
    """SizeRestrictions_BODY blocks bodies over 8 KB; a batch of 500 records is about 100 KB."""
    graph, _ = endpoint(http_enable_waf=True)
    common = next(r for r in graph.one(WEB_ACL_TYPE).inputs["rules"] if r["name"] == "AWSManagedRulesCommonRuleSet")
    assert common["statement"]["managedRuleGroupStatement"]["ruleActionOverrides"] == [
        {"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}
    ]


def test_no_web_acl_of_its_own_unless_asked_and_never_together_with_an_existing_one(endpoint):
    graph, _ = endpoint(http_waf_acl_arn=WEB_ACL)
    assert graph.of_type(WEB_ACL_TYPE) == graph.of_type(WAF_LOGGING) == []
    with pytest.raises(ValueError, match="cannot be combined with http_enable_waf"):
        endpoint(http_enable_waf=True, http_waf_acl_arn=WEB_ACL)


def test_execution_logging_goes_to_the_log_group_the_component_made_first(endpoint):
    graph, _ = endpoint(http_execution_log_level="ERROR", log_retention_days=90)
    api = graph.one(API)
    log_group = _by_name(graph, LOG_GROUP)["tp-endpoint-execution-logs"]
    assert log_group.inputs["name"] == f"API-Gateway-Execution-Logs_{api.outputs['name']}/live"
    assert log_group.inputs["retentionInDays"] == 90
    assert log_group.name in graph.dependencies_by_name[graph.one(STAGE).name]
    settings = graph.one(SETTINGS).inputs["settings"]
    assert (settings["loggingLevel"], settings["dataTraceEnabled"]) == ("ERROR", False)


def test_no_execution_log_group_and_no_tracing_by_default(endpoint):
    graph, _ = endpoint()
    assert "tp-endpoint-execution-logs" not in _by_name(graph, LOG_GROUP)
    assert graph.one(SETTINGS).inputs["settings"]["loggingLevel"] == "OFF"
    assert graph.one(STAGE).inputs["xrayTracingEnabled"] is False
    graph, _ = endpoint(http_enable_tracing=True)
    assert graph.one(STAGE).inputs["xrayTracingEnabled"] is True


def test_a_customer_key_encrypts_every_log_group_of_the_pipeline_and_the_endpoint(endpoint):
    graph, _ = endpoint(kms_key_arn=CUSTOMER_KEY, http_enable_waf=True, http_execution_log_level="INFO")
    log_groups = graph.of_type(LOG_GROUP)
    assert {group.name for group in log_groups} == {
        "tp-delivery-logs",
        "tp-endpoint-access-logs",
        "tp-endpoint-execution-logs",
        "tp-endpoint-waf-logs",
    }
    assert all(group.inputs["kmsKeyId"] == CUSTOMER_KEY for group in log_groups)
    graph, _ = endpoint(http_enable_waf=True)
    assert all("kmsKeyId" not in group.inputs for group in graph.of_type(LOG_GROUP))


def test_the_account_log_role_only_when_asked_and_before_the_stage(endpoint):
    graph, _ = endpoint()
    assert graph.of_type(ACCOUNT_SETTINGS) == []
    graph, _ = endpoint(http_set_account_log_role=True)
    account = graph.one(ACCOUNT_SETTINGS)
    role = _by_name(graph, ROLE)["tp-endpoint-account-log-role"]
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
    trust = graph.policy(role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert "Condition" not in trust
    attachment = graph.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs
    assert attachment["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    assert account.name in graph.dependencies_by_name[graph.one(STAGE).name]


def test_the_account_singleton_and_its_role_stay_in_aws_when_they_leave_the_program(endpoint):
    """Deleting the Account resource resets the region's API Gateway settings (Terraform AWS provider 6), and
    deleting the role breaks them: both would stop the logs of every REST API in the account and region."""
    graph, _ = endpoint(http_set_account_log_role=True)
    singleton = {"tp-endpoint-account", "tp-endpoint-account-log-role", "tp-endpoint-account-log-role-policy"}
    assert singleton <= graph.retained_on_delete
    assert graph.retained_on_delete == singleton


def test_every_endpoint_resource_is_named_and_parented_under_the_pipeline(endpoint):
    graph, _ = endpoint(http_cors_origins=ORIGINS, http_waf_acl_arn=WEB_ACL, http_set_account_log_role=True)
    endpoint_component = graph.one("tracking:index:TrackingEndpoint")
    assert endpoint_component.parent == "tp"
    for resource in graph.resources:
        if resource.name == "tp":
            continue
        assert resource.name.startswith("tp-"), resource.name
        parent = resource.parent
        while parent not in (None, "tp"):
            parent = graph.parent_by_name.get(parent)
        assert parent == "tp", resource.name


def test_endpoint_resources_are_tagged(endpoint):
    graph, _ = endpoint(tags={"team": "data"})
    for type_ in (API, STAGE, USAGE_PLAN, API_KEY, ROLE):
        for resource in graph.of_type(type_):
            assert resource.inputs["tags"] == {"tracking-pipeline": "tp", "team": "data"}, resource.name
    assert _by_name(graph, LOG_GROUP)["tp-endpoint-access-logs"].inputs["tags"]["team"] == "data"


def _outputs(build, **kwargs):
    collected: dict = {}

    def make():
        pipeline = TrackingPipeline("tp", args=TrackingPipelineArgs(**kwargs))
        for name in ("tracking_endpoint_url", "tracking_api_id", "api_key_id"):
            value = getattr(pipeline, name)
            collected[name] = value
            if value is not None:
                value.apply(lambda resolved, name=name: collected.__setitem__(name, resolved))

    graph, _ = build(make)
    return graph, collected


def test_outputs_are_the_stage_url_the_api_id_and_the_key_id(build):
    graph, outputs = _outputs(build, enable_http_endpoint=True)
    assert outputs == {
        "tracking_endpoint_url": graph.one(STAGE).outputs["invokeUrl"],
        "tracking_api_id": graph.one(API).outputs["name"],
        "api_key_id": graph.one(API_KEY).outputs["name"],
    }
    assert outputs["tracking_endpoint_url"].endswith("/live")


def test_no_key_id_without_keys_and_no_endpoint_outputs_without_the_endpoint(build):
    _, outputs = _outputs(build, enable_http_endpoint=True, http_auth="iam")
    assert outputs["api_key_id"] is None and outputs["tracking_endpoint_url"] is not None
    _, outputs = _outputs(build)
    assert outputs == {"tracking_endpoint_url": None, "tracking_api_id": None, "api_key_id": None}


def test_two_pipelines_with_endpoints_do_not_collide(build):
    graph, _ = build(
        lambda: (
            TrackingPipeline("clicks", args=TrackingPipelineArgs(enable_http_endpoint=True)),
            TrackingPipeline("prices", args=TrackingPipelineArgs(enable_http_endpoint=True)),
        )
    )
    names = [r.name for r in graph.resources]
    assert len(names) == len(set(names))
    assert len(graph.of_type(API)) == 2
