"""The tracking-pipeline policy pack's rules: AWS Foundational Security Best Practices for what the project creates.

Importing this module starts nothing: `__main__.py` hands `POLICIES` to `PolicyPack`, whose constructor serves the
engine over gRPC and never returns, so tests call the validators here directly.

Resource validators see a resource's inputs before the engine creates or updates it, so they can stop a bad
resource from ever existing. Only "every bucket has its settings" spans resources; that one is a stack validator,
which the engine runs after the deployment (and during previews).

During a first `pulumi preview`, inputs computed from other resources (every IAM document here embeds an ARN) are
unknown; reading one raises pulumi-policy's UnknownValueError, which the engine reports as "can't run policy
during preview" instead of a pass or a violation. The same policies then run with real values on `pulumi up`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PUBLIC_ACCESS_BLOCK_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ENCRYPTION_TYPES = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
VERSIONING_TYPES = ("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2")
BUCKET_POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy"
STREAM_TYPE = "aws:kinesis/stream:Stream"
DELIVERY_STREAM_TYPE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
ROLE_TYPE = "aws:iam/role:Role"
IDENTITY_POLICY_TYPES = (
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup"
WEB_ACL_TYPE = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_LOGGING_TYPE = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
METHOD_SETTINGS_TYPE = "aws:apigateway/methodSettings:MethodSettings"
ATHENA_WORKGROUP_TYPE = "aws:athena/workgroup:Workgroup"
GLUE_TABLE_TYPE = "aws:glue/catalogTable:CatalogTable"
QUEUE_TYPE = "aws:sqs/queue:Queue"
TABLE_TYPE = "aws:dynamodb/table:Table"
FUNCTION_URL_TYPE = "aws:lambda/functionUrl:FunctionUrl"
FUNCTION_TYPE = "aws:lambda/function:Function"
LIFECYCLE_TYPES = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
ARCHIVED_STORAGE_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
"""S3's archived classes: not readable until restored, and skipped by Athena without an error
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/archived-objects.html,
https://docs.aws.amazon.com/athena/latest/ug/querying-glacier.html). GLACIER_IR is not archived."""
KNOWN_BAD_INPUTS_RULE_GROUP = "AWSManagedRulesKnownBadInputsRuleSet"
"""AWS's managed rule group against request patterns known to exploit vulnerabilities, Log4j's JNDI lookups
(CVE-2021-44228) among them (https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html)."""
ATHENA_RESULT_ENCRYPTION = ("SSE_S3", "SSE_KMS", "CSE_KMS")

PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
SSE_ALGORITHMS = {"AES256": "SSE-S3", "aws:kms": "SSE-KMS", "aws:kms:dsse": "DSSE-KMS"}

VERSIONING_EXEMPT_STACKS_KEY = "versioningExemptStacks"
DEFAULT_VERSIONING_EXEMPT_STACKS = ("dev",)
"""dev is small and disposable (its buckets are force-destroyed), so losing an overwritten object costs nothing."""
STACK_ENV = "PULUMI_STACK"
"""The engine sets it for every policy pack it starts (pulumi-policy itself configures the SDK from it)."""

_BUCKET_ARN = re.compile(r"^arn:[a-z-]+:s3:::(?P<bucket>[^/]+)$")
_OBJECTS_ARN = re.compile(r"^arn:[a-z-]+:s3:::(?P<bucket>[^/]+)/\*$")


# --- Reading resource properties -------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    """IAM and the provider accept a single value where a list is allowed ("Action": "s3:GetObject")."""
    if value is None:
        return []
    if isinstance(value, str | Mapping) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def _document(value: Any) -> Mapping[str, Any] | None:
    """An IAM document as AWS stores it (JSON text) or as pulumi-aws's typed PolicyDocument object."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, Mapping) else None
    return None


def _statements(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each statement with a label for messages: its Sid, else its position."""
    for index, statement in enumerate(_as_list(document.get("Statement")), start=1):
        if isinstance(statement, Mapping):
            yield str(statement.get("Sid") or f"#{index}"), statement


def _is_allow(statement: Mapping[str, Any]) -> bool:
    return statement.get("Effect") == "Allow"


def _is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, Mapping) and "*" in _as_list(principal.get("AWS"))


# --- Which stack is being deployed -----------------------------------------------------------------------------


def current_stack() -> str | None:
    """The stack the engine is deploying, without an organization or project prefix; None when not known."""
    stack = os.environ.get(STACK_ENV, "").strip()
    return stack.rsplit("/", 1)[-1] or None


def versioning_exempt(config: Mapping[str, Any]) -> bool:
    """Whether this stack may run unversioned buckets. An unknown stack is never exempt: fail closed."""
    stack = current_stack()
    exempt = config.get(VERSIONING_EXEMPT_STACKS_KEY, DEFAULT_VERSIONING_EXEMPT_STACKS)
    return stack is not None and stack in _as_list(exempt)


VERSIONING_CONFIG_SCHEMA = PolicyConfigSchema(
    properties={
        VERSIONING_EXEMPT_STACKS_KEY: {
            "type": "array",
            "items": {"type": "string"},
            "default": list(DEFAULT_VERSIONING_EXEMPT_STACKS),
            "description": "Stacks whose buckets may be unversioned (matched against the stack name).",
        }
    }
)


# --- S3 --------------------------------------------------------------------------------------------------------


def validate_public_access_block(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != PUBLIC_ACCESS_BLOCK_TYPE:
        return
    off = [flag for flag in PUBLIC_ACCESS_FLAGS if args.props.get(flag) is not True]
    if off:
        report_violation(f"Public access is not fully blocked: set {', '.join(off)} to true.", None)


def validate_bucket_encryption(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in ENCRYPTION_TYPES:
        return
    rules = _as_list(args.props.get("rules"))
    if not rules:
        report_violation("The encryption configuration has no rule: add one with SSE-S3 (AES256) or SSE-KMS.", None)
    for rule in rules:
        default = rule.get("applyServerSideEncryptionByDefault") if isinstance(rule, Mapping) else None
        algorithm = default.get("sseAlgorithm") if isinstance(default, Mapping) else None
        if algorithm not in SSE_ALGORITHMS:
            report_violation(
                f"Default encryption algorithm {algorithm!r} is not SSE-S3 (AES256) or SSE-KMS (aws:kms).", None
            )


def _bucket_names(resources: Sequence[str], pattern: re.Pattern[str]) -> set[str]:
    return {match["bucket"] for resource in resources if (match := pattern.match(resource))}


def _denies_insecure_transport(statement: Mapping[str, Any]) -> bool:
    """The statement AWS Config's s3-bucket-ssl-requests-only looks for: deny everyone every S3 action on the
    bucket and its objects when the request did not use TLS."""
    if statement.get("Effect") != "Deny" or not _is_everyone(statement.get("Principal")):
        return False
    if not {str(action).lower() for action in _as_list(statement.get("Action"))} & {"*", "s3:*"}:
        return False
    resources = [str(resource) for resource in _as_list(statement.get("Resource"))]
    if "*" not in resources and not _bucket_names(resources, _BUCKET_ARN) & _bucket_names(resources, _OBJECTS_ARN):
        return False
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    return any(
        operator.lower() == "bool"
        and key.lower() == "aws:securetransport"
        and any(str(value).lower() == "false" for value in _as_list(values))
        for operator, keys in condition.items()
        if isinstance(keys, Mapping)
        for key, values in keys.items()
    )


def validate_tls_only_bucket_policy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != BUCKET_POLICY_TYPE:
        return
    document = _document(args.props.get("policy"))
    if document is None:
        report_violation("The bucket policy is not a JSON policy document.", None)
        return
    if not any(_denies_insecure_transport(statement) for _, statement in _statements(document)):
        report_violation(
            "No statement denies requests without TLS: add a Deny of s3:* for Principal * on the bucket and "
            'bucket/* with Condition {"Bool": {"aws:SecureTransport": "false"}}.',
            None,
        )


def validate_bucket_versioning(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in VERSIONING_TYPES or versioning_exempt(args.get_config()):
        return
    configuration = args.props.get("versioningConfiguration")
    status = configuration.get("status") if isinstance(configuration, Mapping) else None
    if status != "Enabled":
        report_violation(f"Versioning is {status!r} in stack {current_stack()!r}: set status to Enabled.", None)


# --- Kinesis and Firehose --------------------------------------------------------------------------------------


def validate_stream_encryption(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != STREAM_TYPE:
        return
    if args.props.get("encryptionType") != "KMS":
        report_violation("The stream is not encrypted at rest: set encryptionType to KMS.", None)
    elif not args.props.get("kmsKeyId"):
        report_violation("KMS encryption needs a key: set kmsKeyId (alias/aws/kinesis for the AWS-managed key).", None)


# --- The ingest job: SQS, DynamoDB, Lambda ----------------------------------------------------------------------


def validate_queue_encryption(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != QUEUE_TYPE:
        return
    if not args.props.get("sqsManagedSseEnabled") and not args.props.get("kmsMasterKeyId"):
        report_violation(
            "The queue is not encrypted at rest: set sqsManagedSseEnabled or kmsMasterKeyId (FSBP SQS.1).", None
        )
    elif args.props.get("kmsMasterKeyId") and args.props.get("sqsManagedSseEnabled") is not None:
        # The provider declares sqs_managed_sse_enabled ConflictsWith kms_master_key_id, and an explicit false counts
        # as set (hashicorp/terraform-provider-aws, internal/service/sqs/queue.go): the deploy would fail.
        report_violation(
            "The queue sets both kmsMasterKeyId and sqsManagedSseEnabled, which the provider refuses together: "
            "with a customer key, leave sqsManagedSseEnabled unset (not false).",
            None,
        )


def validate_table_recovery_and_encryption(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != TABLE_TYPE:
        return
    if not (args.props.get("pointInTimeRecovery") or {}).get("enabled"):
        report_violation(
            "The table has no point-in-time recovery: set pointInTimeRecovery.enabled (FSBP DynamoDB.2).", None
        )
    if not (args.props.get("serverSideEncryption") or {}).get("enabled"):
        report_violation(
            "Set serverSideEncryption.enabled: the table's encryption is then declared, not implied.", None
        )


def validate_no_public_function_url(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != FUNCTION_URL_TYPE:
        return
    if args.props.get("authorizationType") != "AWS_IAM":
        report_violation(
            "A function URL with authorizationType NONE lets anyone invoke the function: use AWS_IAM (FSBP Lambda.1).",
            None,
        )


def validate_function_tracing(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Without active tracing a function's part of a request is invisible next to the traced endpoint
    (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html)."""
    if args.resource_type != FUNCTION_TYPE:
        return
    if (args.props.get("tracingConfig") or {}).get("mode") != "Active":
        report_violation(
            "The function is not traced: set tracingConfig.mode to Active (and allow X-Ray writes to its role).", None
        )


def validate_lifecycle_keeps_data_readable(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in LIFECYCLE_TYPES:
        return
    for rule in args.props.get("rules") or []:
        for transition in rule.get("transitions") or []:
            if transition.get("storageClass") in ARCHIVED_STORAGE_CLASSES:
                report_violation(
                    f"Lifecycle rule {rule.get('id')!r} archives objects to {transition['storageClass']}: Athena skips "
                    "archived objects and GetObject refuses them until restored; use GLACIER_IR or STANDARD_IA.",
                    None,
                )


def _s3_destination(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    """The S3 settings of a Firehose that delivers to S3 (empty when unset); None for any other resource."""
    if args.resource_type != DELIVERY_STREAM_TYPE or args.props.get("destination") != "extended_s3":
        return None
    settings = args.props.get("extendedS3Configuration")
    return settings if isinstance(settings, Mapping) else {}


def validate_delivery_compression(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Converting records to Parquet/ORC compresses them in the serializer, and Firehose then requires
    UNCOMPRESSED; every other S3 delivery must compress."""
    settings = _s3_destination(args)
    if settings is None:
        return
    conversion = settings.get("dataFormatConversionConfiguration")
    if isinstance(conversion, Mapping) and conversion.get("enabled") is not False:
        return
    compression = settings.get("compressionFormat")
    if compression in (None, "", "UNCOMPRESSED"):
        report_violation(f"Delivered objects are uncompressed ({compression!r}): set compressionFormat to GZIP.", None)


def validate_delivery_error_prefix(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    settings = _s3_destination(args)
    if settings is not None and not settings.get("errorOutputPrefix"):
        report_violation(
            "Failed records would land among delivered data: set errorOutputPrefix "
            "(e.g. errors/!{firehose:error-output-type}/).",
            None,
        )


# --- Athena and Glue ------------------------------------------------------------------------------------------


def _workgroup_configuration(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    """A workgroup's configuration (empty when unset); None for any other resource."""
    if args.resource_type != ATHENA_WORKGROUP_TYPE:
        return None
    configuration = args.props.get("configuration")
    return configuration if isinstance(configuration, Mapping) else {}


def validate_workgroup_enforced(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Without enforcement every client chooses its own result location, encryption and scan limit, and the
    workgroup's settings are only defaults
    (https://docs.aws.amazon.com/athena/latest/ug/workgroups-settings-override.html)."""
    configuration = _workgroup_configuration(args)
    if configuration is not None and configuration.get("enforceWorkgroupConfiguration") is not True:
        report_violation(
            "Clients may override the workgroup's result location, encryption and scan limit: set "
            "configuration.enforceWorkgroupConfiguration to true.",
            None,
        )


def validate_workgroup_results_encrypted(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Query results hold copies of the data: they are encrypted like it (AWS Config
    athena-workgroup-encrypted-at-rest)."""
    configuration = _workgroup_configuration(args)
    if configuration is None:
        return
    results = configuration.get("resultConfiguration")
    encryption = results.get("encryptionConfiguration") if isinstance(results, Mapping) else None
    option = encryption.get("encryptionOption") if isinstance(encryption, Mapping) else None
    if option not in ATHENA_RESULT_ENCRYPTION:
        report_violation(
            f"Query results are written unencrypted ({option!r}): set configuration.resultConfiguration."
            f"encryptionConfiguration.encryptionOption to one of {', '.join(ATHENA_RESULT_ENCRYPTION)}.",
            None,
        )
    elif option != "SSE_S3" and isinstance(encryption, Mapping) and not encryption.get("kmsKeyArn"):
        report_violation(f"{option} needs a key: set encryptionConfiguration.kmsKeyArn.", None)


def validate_workgroup_scan_limit(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Athena bills by bytes scanned: one query over every JSON object of a large bucket costs without limit
    unless the workgroup cancels it."""
    configuration = _workgroup_configuration(args)
    if configuration is not None and not configuration.get("bytesScannedCutoffPerQuery"):
        report_violation(
            "A single query may scan (and bill) without limit: set configuration.bytesScannedCutoffPerQuery.", None
        )


def validate_glue_partitions_projected(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """A partitioned table whose partitions nobody registers shows no data for new hours: without projection it
    needs a crawler or MSCK REPAIR after every delivery
    (https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html)."""
    if args.resource_type != GLUE_TABLE_TYPE or not args.props.get("partitionKeys"):
        return
    parameters = args.props.get("parameters")
    parameters = parameters if isinstance(parameters, Mapping) else {}
    if str(parameters.get("projection.enabled", "")).lower() != "true":
        report_violation(
            "New partitions stay invisible until something registers them: set parameters projection.enabled=true "
            "with a projection for every partition key.",
            None,
        )
        return
    for key in _as_list(args.props.get("partitionKeys")):
        name = key.get("name") if isinstance(key, Mapping) else None
        if name and not parameters.get(f"projection.{name}.type"):
            report_violation(f"Partition key {name!r} has no projection: set projection.{name}.type.", None)


# --- IAM -------------------------------------------------------------------------------------------------------


def _wildcard_findings(document: Mapping[str, Any]) -> Iterator[str]:
    """What makes an Allow statement of an identity policy broader than least privilege (IAM.1, IAM.21)."""
    for label, statement in _statements(document):
        if not _is_allow(statement):
            continue
        if "NotAction" in statement:
            yield f"statement {label} allows every action except NotAction"
        if "NotResource" in statement:
            yield f"statement {label} allows every resource except NotResource"
        for action in _as_list(statement.get("Action")):
            if action == "*" or str(action).endswith(":*"):
                yield f"statement {label} allows wildcard action {action!r}"
        if "*" in _as_list(statement.get("Resource")):
            yield f"statement {label} allows resource '*'"


def _trust_findings(document: Mapping[str, Any]) -> Iterator[str]:
    """A trust policy names who may assume the role (Principal); it has no Resource."""
    for label, statement in _statements(document):
        if not _is_allow(statement):
            continue
        if _is_everyone(statement.get("Principal")):
            yield f"statement {label} lets any principal assume the role"
        for action in _as_list(statement.get("Action")):
            if action in ("*", "sts:*"):
                yield f"statement {label} allows wildcard action {action!r}"


def _identity_documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    if args.resource_type in IDENTITY_POLICY_TYPES:
        yield "policy", args.props.get("policy")
    elif args.resource_type == ROLE_TYPE:
        for inline in _as_list(args.props.get("inlinePolicies")):
            if isinstance(inline, Mapping) and inline.get("policy") is not None:
                yield f"inline policy {inline.get('name')!r}", inline.get("policy")


def validate_no_wildcard_allow(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for where, value in _identity_documents(args):
        document = _document(value)
        if document is None:
            report_violation(f"The {where} is not a JSON policy document.", None)
            continue
        for finding in _wildcard_findings(document):
            report_violation(f"In the {where}, {finding}: name the actions and resources it needs.", None)


def validate_trust_policy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != ROLE_TYPE:
        return
    document = _document(args.props.get("assumeRolePolicy"))
    if document is None:
        report_violation("The assumeRolePolicy is not a JSON policy document.", None)
        return
    for finding in _trust_findings(document):
        report_violation(f"In the trust policy, {finding}: name the service or account that assumes it.", None)


# --- CloudWatch Logs -------------------------------------------------------------------------------------------


def validate_log_retention(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == LOG_GROUP_TYPE and not args.props.get("retentionInDays"):
        report_violation("Log events never expire: set retentionInDays (e.g. 14 for dev, 365 for prod).", None)


# --- API Gateway -----------------------------------------------------------------------------------------------


def validate_no_data_trace(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Full request and response logging writes request bodies, and the API keys in their headers, to CloudWatch
    Logs; AWS advises against it for production APIs
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html)."""
    if args.resource_type != METHOD_SETTINGS_TYPE:
        return
    settings = args.props.get("settings")
    if isinstance(settings, Mapping) and settings.get("dataTraceEnabled") is True:
        report_violation("Full request and response logging is on: set settings.dataTraceEnabled to false.", None)


def validate_web_acl_known_bad_inputs(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != WEB_ACL_TYPE:
        return
    groups = {
        ((rule.get("statement") or {}).get("managedRuleGroupStatement") or {}).get("name")
        for rule in args.props.get("rules") or []
    }
    if KNOWN_BAD_INPUTS_RULE_GROUP not in groups:
        report_violation(
            f"The web ACL lacks AWS's {KNOWN_BAD_INPUTS_RULE_GROUP} managed rule group "
            "(Log4j lookups, CVE-2021-44228).",
            None,
        )


# --- Settings that live in their own resources (span resources) ---------------------------------------------------


def _targets(setting: PolicyResource, target: PolicyResource, *, input_name: str, target_output: str) -> bool:
    """Whether `setting`'s `input_name` points at `target`. The engine records which resources each input was
    computed from, which is known even while the target's name or ARN is not (preview); a literal value is matched
    against the target's `target_output`."""
    sources = setting.property_dependencies.get(input_name)
    if sources:
        return any(source.urn == target.urn for source in sources)
    value = setting.props.get(input_name)
    return value is not None and value == target.props.get(target_output)


def _configures(setting: PolicyResource, bucket: PolicyResource) -> bool:
    return _targets(setting, bucket, input_name="bucket", target_output="bucket")


def validate_bucket_settings_present(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    required: dict[str, tuple[str, ...]] = {
        "BucketPublicAccessBlock": (PUBLIC_ACCESS_BLOCK_TYPE,),
        "BucketServerSideEncryptionConfiguration": ENCRYPTION_TYPES,
        "BucketPolicy (TLS only)": (BUCKET_POLICY_TYPE,),
    }
    if not versioning_exempt(args.get_config()):
        required["BucketVersioning"] = VERSIONING_TYPES
    buckets = [resource for resource in args.resources if resource.resource_type in BUCKET_TYPES]
    for bucket in buckets:
        for setting_name, types in required.items():
            settings = (resource for resource in args.resources if resource.resource_type in types)
            if not any(_configures(setting, bucket) for setting in settings):
                report_violation(f"Bucket {bucket.name!r} has no {setting_name}.", bucket.urn)


def validate_web_acl_logging(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """A web ACL's decisions are only visible in its logs, which live in a separate resource."""
    configurations = [resource for resource in args.resources if resource.resource_type == WEB_ACL_LOGGING_TYPE]
    for acl in (resource for resource in args.resources if resource.resource_type == WEB_ACL_TYPE):
        if not any(_targets(c, acl, input_name="resourceArn", target_output="arn") for c in configurations):
            report_violation(
                f"Web ACL {acl.name!r} has no WebAclLoggingConfiguration: log it to an aws-waf-logs-* destination.",
                acl.urn,
            )


# --- The policies ----------------------------------------------------------------------------------------------

s3_public_access_blocked = ResourceValidationPolicy(
    name="s3-bucket-public-access-blocked",
    description="S3 public access blocks turn on all four settings (FSBP S3.8).",
    validate=validate_public_access_block,
    severity=Severity.HIGH,
)
s3_bucket_encrypted = ResourceValidationPolicy(
    name="s3-bucket-default-encryption",
    description="S3 default encryption uses SSE-S3 or SSE-KMS (AWS Config s3-bucket-server-side-encryption-enabled).",
    validate=validate_bucket_encryption,
    severity=Severity.MEDIUM,
)
s3_tls_only = ResourceValidationPolicy(
    name="s3-bucket-tls-only",
    description="S3 bucket policies deny requests made without TLS (FSBP S3.5).",
    validate=validate_tls_only_bucket_policy,
    severity=Severity.MEDIUM,
)
s3_versioning_enabled = ResourceValidationPolicy(
    name="s3-bucket-versioning-enabled",
    description="S3 versioning is Enabled outside the exempt (dev) stacks (AWS Config s3-bucket-versioning-enabled).",
    validate=validate_bucket_versioning,
    config_schema=VERSIONING_CONFIG_SCHEMA,
    severity=Severity.MEDIUM,
)
s3_bucket_settings_present = StackValidationPolicy(
    name="s3-bucket-settings-present",
    description=(
        "Every S3 bucket has a public access block, a default-encryption configuration, a TLS-only bucket policy "
        "and, outside the exempt (dev) stacks, a versioning configuration."
    ),
    validate=validate_bucket_settings_present,
    config_schema=VERSIONING_CONFIG_SCHEMA,
    severity=Severity.HIGH,
)
kinesis_stream_encrypted = ResourceValidationPolicy(
    name="kinesis-stream-encrypted",
    description="Kinesis data streams are encrypted at rest with KMS (FSBP Kinesis.1).",
    validate=validate_stream_encryption,
    severity=Severity.MEDIUM,
)
sqs_queue_encrypted = ResourceValidationPolicy(
    name="sqs-queue-encrypted",
    description="SQS queues are encrypted at rest (FSBP SQS.1).",
    validate=validate_queue_encryption,
    severity=Severity.MEDIUM,
)
dynamodb_table_recoverable = ResourceValidationPolicy(
    name="dynamodb-table-recoverable-and-encrypted",
    description="DynamoDB tables have point-in-time recovery (FSBP DynamoDB.2) and declared server-side encryption.",
    validate=validate_table_recovery_and_encryption,
    severity=Severity.MEDIUM,
)
lambda_no_public_url = ResourceValidationPolicy(
    name="lambda-no-public-function-url",
    description="Lambda function URLs require IAM authentication: no function is invocable by anyone.",
    validate=validate_no_public_function_url,
    severity=Severity.HIGH,
)
lambda_function_traced = ResourceValidationPolicy(
    name="lambda-function-traced",
    description="Lambda functions have X-Ray active tracing (tracingConfig.mode Active).",
    validate=validate_function_tracing,
    severity=Severity.LOW,
)
s3_lifecycle_keeps_data_readable = ResourceValidationPolicy(
    name="s3-lifecycle-no-archive-classes",
    description="S3 lifecycle rules never move objects to GLACIER or DEEP_ARCHIVE, which Athena cannot read.",
    validate=validate_lifecycle_keeps_data_readable,
    severity=Severity.MEDIUM,
)
firehose_s3_compressed = ResourceValidationPolicy(
    name="firehose-s3-compressed",
    description="Firehose S3 destinations compress what they deliver (not UNCOMPRESSED).",
    validate=validate_delivery_compression,
    severity=Severity.LOW,
)
firehose_s3_error_prefix = ResourceValidationPolicy(
    name="firehose-s3-error-prefix",
    description="Firehose S3 destinations write failed records under their own errorOutputPrefix.",
    validate=validate_delivery_error_prefix,
    severity=Severity.LOW,
)
athena_workgroup_enforced = ResourceValidationPolicy(
    name="athena-workgroup-enforced",
    description="Athena workgroups enforce their configuration over client-side settings.",
    validate=validate_workgroup_enforced,
    severity=Severity.MEDIUM,
)
athena_results_encrypted = ResourceValidationPolicy(
    name="athena-workgroup-results-encrypted",
    description="Athena workgroups encrypt query results (AWS Config athena-workgroup-encrypted-at-rest).",
    validate=validate_workgroup_results_encrypted,
    severity=Severity.HIGH,
)
athena_scan_limit = ResourceValidationPolicy(
    name="athena-workgroup-scan-limit",
    description="Athena workgroups cancel queries that scan more than a set number of bytes.",
    validate=validate_workgroup_scan_limit,
    severity=Severity.LOW,
)
glue_partitions_projected = ResourceValidationPolicy(
    name="glue-table-partitions-projected",
    description="Partitioned Glue tables project their partitions, so new data is queryable without a crawler.",
    validate=validate_glue_partitions_projected,
    severity=Severity.LOW,
)
iam_no_wildcard_allow = ResourceValidationPolicy(
    name="iam-no-wildcard-allow",
    description="IAM identity policies allow no '*' or 'service:*' action and no '*' resource (FSBP IAM.1, IAM.21).",
    validate=validate_no_wildcard_allow,
    severity=Severity.HIGH,
)
iam_trust_no_wildcard = ResourceValidationPolicy(
    name="iam-trust-policy-no-wildcard",
    description="IAM role trust policies name who may assume the role: no '*' principal or action.",
    validate=validate_trust_policy,
    severity=Severity.HIGH,
)
log_group_retention = ResourceValidationPolicy(
    name="cloudwatch-log-group-retention",
    description="CloudWatch log groups expire their events (AWS Config cw-loggroup-retention-period-check).",
    validate=validate_log_retention,
    severity=Severity.LOW,
)

apigateway_no_data_trace = ResourceValidationPolicy(
    name="apigateway-no-data-trace",
    description="API Gateway method settings never log full requests and responses (bodies and API keys).",
    validate=validate_no_data_trace,
    severity=Severity.HIGH,
)
wafv2_known_bad_inputs = ResourceValidationPolicy(
    name="wafv2-web-acl-known-bad-inputs",
    description="WAFv2 web ACLs include AWS's Known Bad Inputs managed rule group.",
    validate=validate_web_acl_known_bad_inputs,
    severity=Severity.HIGH,
)
wafv2_web_acl_logging = StackValidationPolicy(
    name="wafv2-web-acl-logging",
    description="Every WAFv2 web ACL has a logging configuration (AWS Config wafv2-logging-enabled).",
    validate=validate_web_acl_logging,
    severity=Severity.MEDIUM,
)

POLICIES: list[Policy] = [
    s3_public_access_blocked,
    s3_bucket_encrypted,
    s3_tls_only,
    s3_versioning_enabled,
    s3_bucket_settings_present,
    kinesis_stream_encrypted,
    sqs_queue_encrypted,
    dynamodb_table_recoverable,
    lambda_no_public_url,
    lambda_function_traced,
    s3_lifecycle_keeps_data_readable,
    firehose_s3_compressed,
    firehose_s3_error_prefix,
    athena_workgroup_enforced,
    athena_results_encrypted,
    athena_scan_limit,
    glue_partitions_projected,
    iam_no_wildcard_allow,
    iam_trust_no_wildcard,
    log_group_retention,
    apigateway_no_data_trace,
    wafv2_known_bad_inputs,
    wafv2_web_acl_logging,
]
