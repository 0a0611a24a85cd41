"""What the tracking endpoint is, as plain data: routes, request models, mapping templates, error responses.

This module is the one place the endpoint's behaviour is written down. The component (`components.http_endpoint`)
turns it into API Gateway resources; the local stand-in (`ingest.local.gateway`) serves it on a loopback port
with the same models and the same Velocity (VTL) templates, rendered by a Velocity engine.

The request templates rebuild every record from the data dictionary's fields, in the dictionary's order, and
add the provenance the publish path adds (`_ingest`: source, run_id, index), so a record sent to the endpoint
is encoded exactly like one `ingest publish` sends and `ingest verify` can find it:

- `source` is `apigateway://<api id>/<stage><resource path>`, e.g. `apigateway://a1b2c3d4e5/live/v1/batch`;
- `run_id` is API Gateway's request id, `index` the record's position in the request.

The response templates return both to the client, with the accepted count and each failed entry's Kinesis
error code; a client that keeps them (`ingest send --report`) can have `verify` check its records arrived.
Fields a client adds beyond the dictionary are dropped, as `publish` drops them, and a client can never set
`_ingest` itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .api_models import (
    BATCH_MODEL_NAME,
    PUT_RECORDS_LIMIT,
    RECORD_MODEL_NAME,
    batch_request_model,
    record_request_model,
)
from .data_dictionary import Schema, record_field_names

STAGE_NAME = "live"
"""The one stage: clients call `https://<api>.execute-api.<region>.amazonaws.com/live/v1/records`."""
API_VERSION = "v1"
JSON_CONTENT_TYPE = "application/json"
KINESIS_CONTENT_TYPE = "application/x-amz-json-1.1"
KINESIS_TARGET_PREFIX = "Kinesis_20131202."
"""API Gateway's AWS integration sends `X-Amz-Target: Kinesis_20131202.<Action>`; the stand-in does the same."""
SOURCE_VTL = "apigateway://$context.apiId/$context.stage$context.resourcePath"
SUCCESS_STATUS = "200"
THROTTLED_STATUS = "429"
STREAM_REFUSED_STATUS = "502"
STREAM_UNAVAILABLE_STATUS = "503"
PREFLIGHT_STATUS = "204"
CORS_ALLOW_METHODS = "OPTIONS,POST"
CORS_ALLOW_HEADERS = "Content-Type,X-Api-Key,Authorization,X-Amz-Date,X-Amz-Security-Token"
CORS_MAX_AGE_SECONDS = "600"
ORIGIN_HEADER = "Access-Control-Allow-Origin"
API_KEY_HEADER = "x-api-key"
INTEGRATION_TIMEOUT_MS = 29_000
"""API Gateway's default (and, for REST APIs, its maximum without a quota increase) integration timeout."""

_STREAM_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


@dataclass(frozen=True)
class IntegrationResponse:
    """How one kind of Kinesis reply becomes the client's response. `selection_pattern` is matched against the
    Kinesis HTTP status (None: the default response); the template may override the status."""

    status_code: str
    selection_pattern: str | None
    template: str


@dataclass(frozen=True)
class Route:
    """`POST /v1/<path_part>`: validated against `model_name`, sent to Kinesis `action`."""

    path_part: str
    action: str
    model_name: str
    record_fields: tuple[str, ...]
    responses: tuple[IntegrationResponse, ...]
    method_statuses: tuple[str, ...]
    """Every status the method may answer: the integration responses' and 429 (a template may override to it)."""

    @property
    def path(self) -> str:
        return f"/{API_VERSION}/{self.path_part}"

    def request_template(self, stream_name: str) -> str:
        """The Kinesis request body, for `stream_name` (a Pulumi output in the component, hence a method)."""
        if not _STREAM_NAME.fullmatch(stream_name):
            raise ValueError(f"not a Kinesis stream name: {stream_name!r}")
        if self.action == "PutRecord":
            return put_record_template(stream_name, self.record_fields)
        return put_records_template(stream_name, self.record_fields)


@dataclass(frozen=True)
class GatewayResponse:
    """A response API Gateway produces itself (refused key, invalid body, throttled...), as clean JSON."""

    response_type: str
    status_code: str | None
    template: str


@dataclass(frozen=True)
class MethodAuth:
    """How callers of the POST methods authenticate, in API Gateway's terms."""

    authorization: str
    """The method's authorizationType: NONE, or AWS_IAM (SigV4-signed requests)."""
    api_key_required: bool
    """Whether the caller must present an API key of a usage plan (`x-api-key`)."""


METHOD_AUTH: Mapping[str, MethodAuth] = {
    "api_key": MethodAuth("NONE", api_key_required=True),
    "iam": MethodAuth("AWS_IAM", api_key_required=False),
    "none": MethodAuth("NONE", api_key_required=False),
}
"""`http_auth` -> what the methods require."""


@dataclass(frozen=True)
class RequestValidation:
    """The request validator every POST uses: the body against the route's model, and the declared parameters."""

    name: str = "body-and-parameters"
    validate_body: bool = True
    validate_parameters: bool = True


@dataclass(frozen=True)
class KinesisIntegration:
    """How every POST reaches Kinesis: an AWS service integration that posts the rendered template to the action,
    with the endpoint role's credentials; a body no template matches is refused, never passed through."""

    type: str = "AWS"
    http_method: str = "POST"
    passthrough_behavior: str = "NEVER"
    timeout_ms: int = INTEGRATION_TIMEOUT_MS
    content_type: str = KINESIS_CONTENT_TYPE

    def uri(self, region: str, action: str) -> str:
        """API Gateway's ARN for a Kinesis action in `region`."""
        return f"arn:aws:apigateway:{region}:kinesis:action/{action}"


@dataclass(frozen=True)
class Preflight:
    """What OPTIONS answers browsers (only when there are CORS origins): a mock integration with static headers,
    and the request's Origin echoed by `EndpointDefinition.preflight_template` when it is allowed."""

    status: str = PREFLIGHT_STATUS
    headers: tuple[tuple[str, str], ...] = (
        ("Access-Control-Allow-Methods", CORS_ALLOW_METHODS),
        ("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS),
        ("Access-Control-Max-Age", CORS_MAX_AGE_SECONDS),
        ("Vary", "Origin"),
    )
    auth: MethodAuth = MethodAuth("NONE", api_key_required=False)
    """Browsers send preflights without credentials, so OPTIONS never requires any."""

    @property
    def request_template(self) -> str:
        """The mock integration's request: it answers with `status`."""
        return json.dumps({"statusCode": int(self.status)})


@dataclass(frozen=True)
class EndpointDefinition:
    """Everything the stage serves, as one value: routes, models, templates, responses, authentication, validation,
    the integration's settings and CORS. The component builds every resource a deployment serves from it, and
    redeploys the stage whenever its `fingerprint` changes, so no setting can change what callers get without a
    new deployment."""

    routes: tuple[Route, ...]
    models: Mapping[str, Schema]
    """Model name -> JSON Schema draft 4 document."""
    gateway_responses: tuple[GatewayResponse, ...]
    cors_origins: tuple[str, ...]
    preflight_template: str
    auth: MethodAuth
    validation: RequestValidation
    integration: KinesisIntegration
    preflight: Preflight

    def route(self, path: str) -> Route | None:
        return next((route for route in self.routes if route.path == path), None)

    def fingerprint(self, *, stream_name: str, credentials_arn: str, region: str) -> str:
        """Changes whenever anything a deployment serves changes. Every field of the definition is part of it
        (`dataclasses.asdict`, so a field added later is covered without being listed here), plus what only the
        deployment knows: the stream the templates name, the role the integration assumes, the region of its URI."""
        document = {
            "definition": dataclasses.asdict(self),
            "deployed": {
                "requests": {route.path: route.request_template(stream_name) for route in self.routes},
                "uris": {route.path: self.integration.uri(region, route.action) for route in self.routes},
                "credentials": credentials_arn,
            },
        }
        return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def endpoint_definition(
    record_schema: Mapping[str, Any],
    *,
    max_batch_records: int = PUT_RECORDS_LIMIT,
    cors_origins: Sequence[str] = (),
    auth: str = "api_key",
) -> EndpointDefinition:
    """The endpoint for `record_schema` (the data dictionary), taking batches of up to `max_batch_records`,
    answering browsers from `cors_origins` (none: no CORS at all), with callers authenticated by `auth` (api_key,
    iam or none). Raises ValueError for a malformed origin or an unknown authentication."""
    origins = tuple(cors_origins)
    for origin in origins:
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
    if auth not in METHOD_AUTH:
        raise ValueError(f"unknown endpoint authentication {auth!r}: expected one of {', '.join(METHOD_AUTH)}")
    fields = record_field_names(record_schema)
    cors = _cors_vtl(origins)
    error = cors + ERROR_TEMPLATE
    errors = (
        IntegrationResponse(STREAM_REFUSED_STATUS, r"4\d{2}", error),
        IntegrationResponse(STREAM_UNAVAILABLE_STATUS, r"5\d{2}", error),
    )
    record_responses = (IntegrationResponse(SUCCESS_STATUS, None, cors + PUT_RECORD_RESPONSE_TEMPLATE), *errors)
    batch_responses = (IntegrationResponse(SUCCESS_STATUS, None, cors + PUT_RECORDS_RESPONSE_TEMPLATE), *errors)
    return EndpointDefinition(
        routes=(
            Route("records", "PutRecord", RECORD_MODEL_NAME, fields, record_responses, _statuses(record_responses)),
            Route("batch", "PutRecords", BATCH_MODEL_NAME, fields, batch_responses, _statuses(batch_responses)),
        ),
        models={
            RECORD_MODEL_NAME: record_request_model(record_schema),
            BATCH_MODEL_NAME: batch_request_model(record_schema, max_batch_records),
        },
        gateway_responses=GATEWAY_RESPONSES,
        cors_origins=origins,
        preflight_template=cors,
        auth=METHOD_AUTH[auth],
        validation=RequestValidation(),
        integration=KinesisIntegration(),
        preflight=Preflight(),
    )


def _statuses(responses: Sequence[IntegrationResponse]) -> tuple[str, ...]:
    return tuple(sorted({response.status_code for response in responses} | {THROTTLED_STATUS}))


# --- Request templates: client JSON -> Kinesis JSON --------------------------------------------------------------
#
# Each record is rebuilt as a string and base64-encoded. Field values come from `$input.json(path)`, which returns
# them as JSON text (quoted and escaped if they were strings), so no client value can break out of the record or
# the Kinesis request; `$q` stands for a double quote inside VTL string literals. Velocity never evaluates a
# value twice, so `$` or `#` in client data stays text. `<<...>>` marks what Python fills in.

_PUT_RECORD = r"""<<record>>#set($key = "$!input.path('$.partitionKey')")
{"StreamName":"<<stream>>","Data":"$util.base64Encode($record)",
"PartitionKey":#if($key != "")$input.json('$.partitionKey')#else"$context.requestId"#end}
"""

_PUT_RECORDS = r"""{"StreamName":"<<stream>>","Records":[
#foreach($entry in $input.path('$.records'))
#set($i = $foreach.index)
<<record>>#set($key = "$!entry.partitionKey")
{"Data":"$util.base64Encode($record)",
"PartitionKey":#if($key != "")$input.json("$.records[$i].partitionKey")#else"$context.requestId:$i"#end}
#if($foreach.hasNext),#end
#end
]}
"""

_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _record_vtl(fields: Sequence[str], data_path: str, index: str) -> str:
    """`#set($record = ...)`: the record's JSON as `encode_record` writes it (dictionary order, compact, the
    provenance last). `data_path` is the JSONPath of the client's record, with a trailing dot."""
    lines = ["#set($q = '\"')", f'#set($p = "{data_path}")']
    members = []
    for position, name in enumerate(fields):
        if not _FIELD_NAME.fullmatch(name):
            raise ValueError(f"field name {name!r} cannot be used in a JSONPath or a VTL template")
        lines.append(f'#set($f{position} = $input.json("${{p}}{name}"))')
        members.append(f"${{q}}{name}${{q}}:$f{position}")
    provenance = (
        f"${{q}}source${{q}}:${{q}}{SOURCE_VTL}${{q}},"
        f"${{q}}run_id${{q}}:${{q}}$context.requestId${{q}},"
        f"${{q}}index${{q}}:{index}"
    )
    members.append(f"${{q}}_ingest${{q}}:{{{provenance}}}")
    lines.append('#set($record = "{' + ",".join(members) + '}")')
    return "\n".join(lines) + "\n"


def put_record_template(stream_name: str, fields: Sequence[str]) -> str:
    """`POST /v1/records` -> Kinesis PutRecord. Partition key: the client's, else the request id (spreads)."""
    record = _record_vtl(fields, "$.data.", "0")
    return _PUT_RECORD.replace("<<record>>", record).replace("<<stream>>", stream_name)


def put_records_template(stream_name: str, fields: Sequence[str]) -> str:
    """`POST /v1/batch` -> Kinesis PutRecords, entries in the client's order. Partition key: the entry's, else
    `<request id>:<index>`, which spreads a batch over the shards."""
    record = _record_vtl(fields, "$.records[$i].data.", "$i")
    return _PUT_RECORDS.replace("<<record>>", record).replace("<<stream>>", stream_name)


# --- Response templates: Kinesis JSON -> client JSON -------------------------------------------------------------

PUT_RECORD_RESPONSE_TEMPLATE = r"""{"requestId":"$context.requestId","source":"<<source>>","accepted":1,"failed":[]}
""".replace("<<source>>", SOURCE_VTL)
"""PutRecord either stores the record (200) or fails as a whole (the error template)."""

PUT_RECORDS_RESPONSE_TEMPLATE = r"""#set($failures = 0)
#foreach($entry in $input.path('$.Records'))#if("$!entry.ErrorCode" != "")#set($failures = $failures + 1)#end#end
#set($accepted = $input.path('$.Records').size() - $failures)
#set($separator = "")
{"requestId":"$context.requestId","source":"<<source>>","accepted":$accepted,"failed":[
#foreach($entry in $input.path('$.Records'))
#if("$!entry.ErrorCode" != "")$separator{"index":$foreach.index,
"errorCode":$input.json("$.Records[$foreach.index].ErrorCode"),
"errorMessage":$input.json("$.Records[$foreach.index].ErrorMessage")}#set($separator = ",")#end
#end
]}
""".replace("<<source>>", SOURCE_VTL)
"""PutRecords can store some entries and fail others in one 200 reply: every failed entry is listed with its
position in the request and its Kinesis error code, never hidden."""

ERROR_TEMPLATE = r"""#set($type = "$!input.path('$.__type')")
#if($type.contains("ProvisionedThroughputExceeded") || $type.contains("Throttling") || $type.contains("LimitExceeded"))
#set($context.responseOverride.status = <<throttled>>)
#end
{"requestId":"$context.requestId","message":"the stream did not take the records",
"errorCode":"$util.escapeJavaScript($type).replaceAll("\\'","'")"}
""".replace("<<throttled>>", THROTTLED_STATUS)
"""Kinesis refused the whole call. Throttling becomes 429 (retry later); any other 4xx becomes 502 and a 5xx
503: the client's request was valid, only the stream side can fix it. `escapeJavaScript` escapes a single quote
as `\'`, which JSON does not allow, hence the `replaceAll` that API Gateway's documentation prescribes."""


def _cors_vtl(origins: Sequence[str]) -> str:
    """Echo the request's Origin in Access-Control-Allow-Origin when it is one of `origins`; nothing otherwise, so
    the browser does not hand the response to the page. Empty when there are no origins."""
    if not origins:
        return ""
    allowed = ", ".join(f'"{origin}"' for origin in origins)
    template = r"""#set($allowedOrigins = [<<allowed>>])
#set($origin = "$!input.params('Origin')")
#if($origin == "")#set($origin = "$!input.params('origin')")#end
#if($allowedOrigins.contains($origin))
#set($context.responseOverride.header.<<header>> = $origin)
#end
"""
    return template.replace("<<allowed>>", allowed).replace("<<header>>", ORIGIN_HEADER)


# --- Responses API Gateway makes itself ---------------------------------------------------------------------------

_GATEWAY_ERROR = r"""{"message":$context.error.messageString,"errorType":"$context.error.responseType",
"requestId":"$context.requestId"}
"""
_INVALID_BODY = r"""{"message":$context.error.messageString,"errorType":"$context.error.responseType",
"details":"$util.escapeJavaScript($context.error.validationErrorString).replaceAll("\\'","'")",
"requestId":"$context.requestId"}
"""
GATEWAY_RESPONSES: tuple[GatewayResponse, ...] = (
    GatewayResponse("BAD_REQUEST_BODY", "400", _INVALID_BODY),
    GatewayResponse("DEFAULT_4XX", None, _GATEWAY_ERROR),
    GatewayResponse("DEFAULT_5XX", None, _GATEWAY_ERROR),
)
"""JSON for every error API Gateway raises before the integration: a missing or unknown API key (403), a body
that breaks the model (400, with the validator's message), throttling or an exhausted quota (429)."""

ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "extendedRequestId": "$context.extendedRequestId",
        "requestTime": "$context.requestTime",
        "ip": "$context.identity.sourceIp",
        "userAgent": "$context.identity.userAgent",
        "apiKeyId": "$context.identity.apiKeyId",
        "caller": "$context.identity.caller",
        "httpMethod": "$context.httpMethod",
        "resourcePath": "$context.resourcePath",
        "protocol": "$context.protocol",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "responseLatency": "$context.responseLatency",
        "integrationStatus": "$context.integration.status",
        "integrationLatency": "$context.integration.latency",
        "errorType": "$context.error.responseType",
        "errorMessage": "$context.error.message",
    },
    separators=(",", ":"),
)
"""One JSON line per request, never the body: who called, what came back, how long Kinesis took."""
