"""TrackingEndpoint: an API Gateway REST API that writes validated records into the pipeline's Kinesis stream.

The AWS pattern "REST API as a Kinesis proxy": `POST /v1/records` (one record, Kinesis PutRecord) and
`POST /v1/batch` (up to 500, PutRecords), each with a request validator and a JSON Schema draft 4 model generated
from the data dictionary, and an AWS service integration whose mapping templates rebuild and base64-encode each
record. Everything the API serves (routes, models, templates, error responses) comes from
`components.core.endpoint`, which the local stand-in serves too.

Secure by default: API keys with a usage plan (rate, burst, daily quota), stage throttling, JSON access logs with
retention, a dedicated integration role that can only put records into this stream. IAM (SigV4) callers and an
unauthenticated endpoint are explicit choices (`http_auth`), as are CORS origins, a WAF web ACL (its own with AWS
managed rules and a rate limit, or an existing one), execution logs and X-Ray tracing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .component_outputs import publish_outputs
from .core import iam
from .core.data_dictionary import load_record_schema
from .core.endpoint import (
    ACCESS_LOG_FORMAT,
    API_VERSION,
    JSON_CONTENT_TYPE,
    ORIGIN_HEADER,
    STAGE_NAME,
    EndpointDefinition,
    Route,
    endpoint_definition,
)
from .core.limits import WAF_RATE_WINDOW_SECONDS
from .core.settings import TrackingPipelineArgs

TYPE_TOKEN = "tracking:index:TrackingEndpoint"
WAF_LOG_GROUP_PREFIX = "aws-waf-logs-"
WAF_REDACTED_HEADERS = ("x-api-key", "authorization")
"""Credentials a request carries: WAF logs every header unless told not to."""
WAF_MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
"""AWS's baseline and IP reputation rule groups (https://docs.aws.amazon.com/waf/latest/developerguide/
aws-managed-rule-groups-baseline.html, ...-ip-rep.html), evaluated in this order after the rate limit. Known Bad
Inputs blocks request patterns that exploit known vulnerabilities, Log4j's JNDI lookups (CVE-2021-44228) among
them; the policy pack refuses a web ACL without it (wafv2-web-acl-known-bad-inputs)."""
WAF_COUNTED_RULES = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}
"""Rules only counted, not enforced: the common rule set blocks every body over 8 KB, and a batch of up to 500
records is larger than that; API Gateway's model and 10 MB limit bound the body instead."""
_ORIGIN_REQUEST_HEADER = "method.request.header.Origin"


@dataclass(frozen=True)
class TrackingEndpointArgs:
    stream_name: pulumi.Input[str]
    stream_arn: pulumi.Input[str]
    settings: TrackingPipelineArgs
    """The pipeline's arguments: the `http_*` ones shape the endpoint, `kms_key_arn` its role's grants."""
    tags: pulumi.Input[Mapping[str, str]]


class TrackingEndpoint(pulumi.ComponentResource):
    """The REST API, its stage, integration role, access logs and (with API keys) key and usage plan."""

    url: pulumi.Output[str]
    """The stage's invoke URL; clients POST to `<url>/v1/records` and `<url>/v1/batch`."""
    api_id: pulumi.Output[str]
    api_key_id: pulumi.Output[str] | None
    """The API key's id (never its value: `aws apigateway get-api-key --api-key <id> --include-value`)."""
    role_arn: pulumi.Output[str]
    access_log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: TrackingEndpointArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._args = args
        self._settings = settings = args.settings
        invoke_opts = pulumi.InvokeOptions(parent=self)
        self._region = aws.get_region_output(opts=invoke_opts).region
        definition = endpoint_definition(
            load_record_schema(),
            max_batch_records=settings.http_max_batch_records,
            cors_origins=settings.http_cors_origins,
            auth=settings.http_auth,
        )

        api = self._rest_api()
        role = self._integration_role()
        log_group = self._access_log_group()
        served = self._routes(api, definition, role)
        served += self._gateway_responses(api, definition)
        deployment = self._deployment(api, definition, role, served)
        stage = self._stage(api, deployment, log_group)
        self._method_settings(api, stage)
        key = self._api_key(api, stage) if settings.uses_api_keys else None
        web_acl_arn = self._web_acl() if settings.http_enable_waf else settings.http_waf_acl_arn
        if web_acl_arn is not None:
            aws.wafv2.WebAclAssociation(
                f"{name}-waf",
                resource_arn=stage.arn,
                web_acl_arn=web_acl_arn,
                opts=pulumi.ResourceOptions(parent=stage),
            )

        publish_outputs(
            self,
            {
                "url": stage.invoke_url,
                "api_id": api.id,
                "api_key_id": key.id if key is not None else None,
                "role_arn": role.arn,
                "access_log_group_name": log_group.name,
            },
        )

    def _child(self, **extra: object) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)  # type: ignore[arg-type]

    def _rest_api(self) -> aws.apigateway.RestApi:
        return aws.apigateway.RestApi(
            f"{self._name}-api",
            description="Tracking endpoint: validated records into the tracking stream",
            endpoint_configuration={"types": "REGIONAL"},
            api_key_source="HEADER",
            tags=self._args.tags,
            opts=self._child(),
        )

    def _integration_role(self) -> aws.iam.Role:
        role = aws.iam.Role(
            f"{self._name}-role",
            description="Assumed by API Gateway to put the tracking endpoint's records into the tracking stream",
            assume_role_policy=json.dumps(iam.apigateway_trust_policy()),
            tags=self._args.tags,
            opts=self._child(),
        )
        aws.iam.RolePolicy(
            f"{self._name}-role-policy",
            role=role.id,
            policy=pulumi.Output.all(
                stream_arn=self._args.stream_arn, kms_key_arn=self._settings.kms_key_arn, region=self._region
            ).apply(lambda resolved: json.dumps(iam.endpoint_stream_policy(**resolved))),
            opts=pulumi.ResourceOptions(parent=role),
        )
        return role

    def _log_group(self, resource_name: str, **naming: pulumi.Input[str]) -> aws.cloudwatch.LogGroup:
        """Every log group of the endpoint: the pipeline's retention, and its customer key when it has one (the key
        policy must let CloudWatch Logs use it: docs/component.md)."""
        return aws.cloudwatch.LogGroup(
            resource_name,
            retention_in_days=self._settings.log_retention_days,
            kms_key_id=self._settings.kms_key_arn,
            tags=self._args.tags,
            opts=self._child(),
            **naming,  # type: ignore[arg-type]
        )

    def _access_log_group(self) -> aws.cloudwatch.LogGroup:
        return self._log_group(f"{self._name}-access-logs")

    def _routes(
        self, api: aws.apigateway.RestApi, definition: EndpointDefinition, role: aws.iam.Role
    ) -> list[pulumi.Resource]:
        """Every resource a deployment must see: models, validator, and each route's methods and integrations."""
        under_api = pulumi.ResourceOptions(parent=api)
        models = {
            model_name: aws.apigateway.Model(
                f"{self._name}-{model_name.lower()}-model",
                rest_api=api.id,
                name=model_name,
                content_type=JSON_CONTENT_TYPE,
                description=str(model.get("description", "")),
                schema=json.dumps(model),
                opts=under_api,
            )
            for model_name, model in definition.models.items()
        }
        validator = aws.apigateway.RequestValidator(
            f"{self._name}-validator",
            rest_api=api.id,
            name=definition.validation.name,
            validate_request_body=definition.validation.validate_body,
            validate_request_parameters=definition.validation.validate_parameters,
            opts=under_api,
        )
        version = aws.apigateway.Resource(
            f"{self._name}-{API_VERSION}",
            rest_api=api.id,
            parent_id=api.root_resource_id,
            path_part=API_VERSION,
            opts=under_api,
        )
        served: list[pulumi.Resource] = [*models.values(), validator, version]
        for route in definition.routes:
            resource = aws.apigateway.Resource(
                f"{self._name}-{route.path_part}",
                rest_api=api.id,
                parent_id=version.id,
                path_part=route.path_part,
                opts=under_api,
            )
            served.append(resource)
            served += self._post(api, resource, route, models[route.model_name], validator, role, definition)
            if definition.cors_origins:
                served += self._preflight(api, resource, route, definition)
        return served

    def _post(
        self,
        api: aws.apigateway.RestApi,
        resource: aws.apigateway.Resource,
        route: Route,
        model: aws.apigateway.Model,
        validator: aws.apigateway.RequestValidator,
        role: aws.iam.Role,
        definition: EndpointDefinition,
    ) -> list[pulumi.Resource]:
        """The route's POST, built only from `definition` (and the stream, role and region it is deployed with),
        which is what the deployment's trigger hashes."""
        prefix = f"{self._name}-{route.path_part}"
        cors = bool(definition.cors_origins)
        integration_settings = definition.integration
        method = aws.apigateway.Method(
            f"{prefix}-post",
            rest_api=api.id,
            resource_id=resource.id,
            http_method="POST",
            authorization=definition.auth.authorization,
            api_key_required=definition.auth.api_key_required,
            request_models={JSON_CONTENT_TYPE: model.name},
            request_validator_id=validator.id,
            request_parameters={_ORIGIN_REQUEST_HEADER: False} if cors else None,
            opts=pulumi.ResourceOptions(parent=resource),
        )
        under_method = pulumi.ResourceOptions(parent=method)
        integration = aws.apigateway.Integration(
            f"{prefix}-integration",
            rest_api=api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            type=integration_settings.type,
            integration_http_method=integration_settings.http_method,
            uri=self._region.apply(lambda region: integration_settings.uri(region, route.action)),
            credentials=role.arn,
            passthrough_behavior=integration_settings.passthrough_behavior,
            request_parameters={"integration.request.header.Content-Type": f"'{integration_settings.content_type}'"},
            request_templates={
                JSON_CONTENT_TYPE: pulumi.Output.from_input(self._args.stream_name).apply(route.request_template)
            },
            timeout_milliseconds=integration_settings.timeout_ms,
            opts=under_method,
        )
        cors_headers = {f"method.response.header.{ORIGIN_HEADER}": False, "method.response.header.Vary": False}
        method_responses = {
            status: aws.apigateway.MethodResponse(
                f"{prefix}-{status}",
                rest_api=api.id,
                resource_id=resource.id,
                http_method=method.http_method,
                status_code=status,
                response_models={JSON_CONTENT_TYPE: "Empty"},
                response_parameters=cors_headers if cors else None,
                opts=under_method,
            )
            for status in route.method_statuses
        }
        integration_responses = [
            aws.apigateway.IntegrationResponse(
                f"{prefix}-{response.status_code}-response",
                rest_api=api.id,
                resource_id=resource.id,
                http_method=method.http_method,
                status_code=response.status_code,
                selection_pattern=response.selection_pattern,
                response_templates={JSON_CONTENT_TYPE: response.template},
                response_parameters={"method.response.header.Vary": "'Origin'"} if cors else None,
                opts=pulumi.ResourceOptions(
                    parent=method, depends_on=[integration, method_responses[response.status_code]]
                ),
            )
            for response in route.responses
        ]
        return [method, integration, *method_responses.values(), *integration_responses]

    def _preflight(
        self,
        api: aws.apigateway.RestApi,
        resource: aws.apigateway.Resource,
        route: Route,
        definition: EndpointDefinition,
    ) -> list[pulumi.Resource]:
        """OPTIONS for browsers: a mock integration answering 204 with the CORS headers, and the request's Origin
        echoed only when it is one of the allowed origins (the same VTL the stand-in renders)."""
        preflight = definition.preflight
        prefix = f"{self._name}-{route.path_part}-options"
        method = aws.apigateway.Method(
            prefix,
            rest_api=api.id,
            resource_id=resource.id,
            http_method="OPTIONS",
            authorization=preflight.auth.authorization,
            api_key_required=preflight.auth.api_key_required,
            opts=pulumi.ResourceOptions(parent=resource),
        )
        under_method = pulumi.ResourceOptions(parent=method)
        integration = aws.apigateway.Integration(
            f"{prefix}-integration",
            rest_api=api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            type="MOCK",
            request_templates={JSON_CONTENT_TYPE: preflight.request_template},
            opts=under_method,
        )
        static = dict(preflight.headers)
        method_response = aws.apigateway.MethodResponse(
            f"{prefix}-{preflight.status}",
            rest_api=api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            status_code=preflight.status,
            response_parameters={f"method.response.header.{name}": False for name in [*static, ORIGIN_HEADER]},
            opts=under_method,
        )
        integration_response = aws.apigateway.IntegrationResponse(
            f"{prefix}-{preflight.status}-response",
            rest_api=api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            status_code=preflight.status,
            response_parameters={f"method.response.header.{name}": f"'{value}'" for name, value in static.items()},
            response_templates={JSON_CONTENT_TYPE: definition.preflight_template},
            opts=pulumi.ResourceOptions(parent=method, depends_on=[integration, method_response]),
        )
        return [method, integration, method_response, integration_response]

    def _gateway_responses(self, api: aws.apigateway.RestApi, definition: EndpointDefinition) -> list[pulumi.Resource]:
        """API Gateway's own errors as JSON; with CORS, the request's Origin is echoed so a browser can read why
        it was refused (these responses never carry data)."""
        parameters = (
            {
                f"gatewayresponse.header.{ORIGIN_HEADER}": _ORIGIN_REQUEST_HEADER,
                "gatewayresponse.header.Vary": "'Origin'",
            }
            if definition.cors_origins
            else None
        )
        return [
            aws.apigateway.Response(
                f"{self._name}-{response.response_type.lower().replace('_', '-')}",
                rest_api_id=api.id,
                response_type=response.response_type,
                status_code=response.status_code,
                response_templates={JSON_CONTENT_TYPE: response.template},
                response_parameters=parameters,
                opts=pulumi.ResourceOptions(parent=api),
            )
            for response in definition.gateway_responses
        ]

    def _deployment(
        self,
        api: aws.apigateway.RestApi,
        definition: EndpointDefinition,
        role: aws.iam.Role,
        served: list[pulumi.Resource],
    ) -> aws.apigateway.Deployment:
        """A stage keeps serving the deployment it points at: changes to methods, integrations, models, validators
        or gateway responses reach callers only through a new deployment ("After creating your API, you must deploy
        it", https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-deploy-api.html). `triggers`
        replaces the deployment whenever the definition's fingerprint changes (the provider's `triggers`: "when
        changed, will trigger a redeployment"); it is created after everything it serves."""
        fingerprint = pulumi.Output.all(
            stream_name=self._args.stream_name, credentials_arn=role.arn, region=self._region
        ).apply(lambda resolved: definition.fingerprint(**resolved))
        return aws.apigateway.Deployment(
            f"{self._name}-deployment",
            rest_api=api.id,
            description="Tracking endpoint",
            triggers={"definition": fingerprint},
            opts=pulumi.ResourceOptions(parent=api, depends_on=served),
        )

    def _stage(
        self,
        api: aws.apigateway.RestApi,
        deployment: aws.apigateway.Deployment,
        log_group: aws.cloudwatch.LogGroup,
    ) -> aws.apigateway.Stage:
        settings = self._settings
        depends_on: list[pulumi.Resource] = []
        if settings.http_set_account_log_role:
            depends_on.append(self._account_log_role())
        if settings.http_execution_log_level != "OFF":
            depends_on.append(self._execution_log_group(api))
        return aws.apigateway.Stage(
            f"{self._name}-stage",
            rest_api=api.id,
            deployment=deployment.id,
            stage_name=STAGE_NAME,
            description="The tracking endpoint's one stage",
            access_log_settings={"destination_arn": log_group.arn, "format": ACCESS_LOG_FORMAT},
            xray_tracing_enabled=settings.http_enable_tracing,
            tags=self._args.tags,
            opts=self._child(depends_on=depends_on),
        )

    def _execution_log_group(self, api: aws.apigateway.RestApi) -> aws.cloudwatch.LogGroup:
        """API Gateway writes execution logs to a log group of a fixed name, `API-Gateway-Execution-Logs_{rest-api-id}/
        {stage-name}`, and creates it itself, without retention or key, if it does not exist
        (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html): the component creates it
        first, and the stage waits for it."""
        return self._log_group(
            f"{self._name}-execution-logs",
            name=api.id.apply(lambda api_id: execution_log_group_name(api_id, STAGE_NAME)),
        )

    def _account_log_role(self) -> aws.apigateway.Account:
        """API Gateway refuses access and execution logging until the account names a CloudWatch Logs role in the
        region. That setting is a singleton of the account and region ("To avoid overwriting other roles, you should
        only have one AWS::ApiGateway::Account resource per region per account",
        https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html),
        so one stack manages it (`http_set_account_log_role`).

        All three resources are retained on delete: pulumi-aws 7 (Terraform AWS provider 6) resets the account's
        settings when the Account resource is deleted ("The destroy operation will now always reset the API Gateway
        account settings", the provider's version 6 upgrade guide), which would silently stop the logs of every REST
        API in the region, and deleting the role would do the same."""
        retained = pulumi.ResourceOptions(retain_on_delete=True)
        role = aws.iam.Role(
            f"{self._name}-account-log-role",
            description="API Gateway's account-wide CloudWatch Logs role (set by the tracking endpoint)",
            assume_role_policy=json.dumps(iam.apigateway_trust_policy()),
            tags=self._args.tags,
            opts=pulumi.ResourceOptions.merge(self._child(), retained),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{self._name}-account-log-role-policy",
            role=role.name,
            policy_arn=iam.API_GATEWAY_LOGS_POLICY_ARN,
            opts=pulumi.ResourceOptions(parent=role, retain_on_delete=True),
        )
        return aws.apigateway.Account(
            f"{self._name}-account",
            cloudwatch_role_arn=role.arn,
            opts=self._child(depends_on=[attachment], retain_on_delete=True),
        )

    def _method_settings(
        self, api: aws.apigateway.RestApi, stage: aws.apigateway.Stage
    ) -> aws.apigateway.MethodSettings:
        """Metrics per method; stage-wide throttling; execution logging at `http_execution_log_level`, into the log
        group the stage waited for. Full request and response logging (data trace) stays off: it would write
        request bodies and API keys to the logs."""
        settings = self._settings
        return aws.apigateway.MethodSettings(
            f"{self._name}-settings",
            rest_api=api.id,
            stage_name=stage.stage_name,
            method_path="*/*",
            settings={
                "metrics_enabled": True,
                "logging_level": settings.http_execution_log_level,
                "data_trace_enabled": False,
                "throttling_rate_limit": float(settings.http_rate_limit),
                "throttling_burst_limit": settings.http_burst_limit,
            },
            opts=pulumi.ResourceOptions(parent=stage),
        )

    def _web_acl(self) -> pulumi.Output[str]:
        """The endpoint's own regional web ACL (`web_acl_rules`), logging every request it sees to a log group whose
        name starts with `aws-waf-logs-`, which WAF requires of a CloudWatch Logs destination
        (https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html). API keys and signatures are
        redacted from those logs."""
        settings = self._settings
        metric = f"{self._name}-waf"
        acl = aws.wafv2.WebAcl(
            f"{self._name}-web-acl",
            description="Tracking endpoint: AWS managed rules and a per-IP rate limit",
            scope="REGIONAL",
            default_action={"allow": {}},
            rules=web_acl_rules(settings.http_waf_rate_limit, metric),
            visibility_config={
                "cloudwatch_metrics_enabled": True,
                "metric_name": metric,
                "sampled_requests_enabled": True,
            },
            tags=self._args.tags,
            opts=self._child(),
        )
        log_group = self._log_group(f"{self._name}-waf-logs", name_prefix=f"{WAF_LOG_GROUP_PREFIX}{self._name}-")
        aws.wafv2.WebAclLoggingConfiguration(
            f"{self._name}-waf-logging",
            resource_arn=acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[{"single_header": {"name": header}} for header in WAF_REDACTED_HEADERS],
            opts=pulumi.ResourceOptions(parent=acl),
        )
        return acl.arn

    def _api_key(self, api: aws.apigateway.RestApi, stage: aws.apigateway.Stage) -> aws.apigateway.ApiKey:
        settings = self._settings
        plan = aws.apigateway.UsagePlan(
            f"{self._name}-usage-plan",
            description="Rate, burst and daily quota of each tracking endpoint key",
            api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
            throttle_settings={"rate_limit": float(settings.http_rate_limit), "burst_limit": settings.http_burst_limit},
            quota_settings=(
                {"limit": settings.http_daily_quota, "period": "DAY"} if settings.http_daily_quota is not None else None
            ),
            tags=self._args.tags,
            opts=self._child(),
        )
        key = aws.apigateway.ApiKey(
            f"{self._name}-key",
            description="Key for tracking endpoint producers (read its value with aws apigateway get-api-key)",
            enabled=True,
            tags=self._args.tags,
            opts=self._child(),
        )
        aws.apigateway.UsagePlanKey(
            f"{self._name}-usage-plan-key",
            key_id=key.id,
            key_type="API_KEY",
            usage_plan_id=plan.id,
            opts=pulumi.ResourceOptions(parent=plan),
        )
        return key


def execution_log_group_name(api_id: str, stage: str) -> str:
    """The log group API Gateway writes a stage's execution logs to."""
    return f"API-Gateway-Execution-Logs_{api_id}/{stage}"


def web_acl_rules(rate_limit: int, metric_prefix: str) -> list[aws.wafv2.WebAclRuleArgsDict]:
    """A per-IP rate limit first (cheapest, and it stops a flood before the managed rules see it), then AWS's
    managed rule groups, each with its own CloudWatch metric and sampled requests."""

    def visibility(name: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgsDict:
        return {
            "cloudwatch_metrics_enabled": True,
            "metric_name": f"{metric_prefix}-{name}",
            "sampled_requests_enabled": True,
        }

    rules: list[aws.wafv2.WebAclRuleArgsDict] = [
        {
            "name": "rate-limit-per-ip",
            "priority": 0,
            "action": {"block": {}},
            "statement": {
                "rate_based_statement": {
                    "limit": rate_limit,
                    "aggregate_key_type": "IP",
                    "evaluation_window_sec": WAF_RATE_WINDOW_SECONDS,
                }
            },
            "visibility_config": visibility("rate-limit-per-ip"),
        }
    ]
    for priority, group in enumerate(WAF_MANAGED_RULE_GROUPS, start=1):
        rules.append(
            {
                "name": group,
                "priority": priority,
                "override_action": {"none": {}},
                "statement": {
                    "managed_rule_group_statement": {
                        "vendor_name": "AWS",
                        "name": group,
                        "rule_action_overrides": [
                            {"name": rule, "action_to_use": {"count": {}}} for rule in WAF_COUNTED_RULES.get(group, ())
                        ],
                    }
                },
                "visibility_config": visibility(group),
            }
        )
    return rules
