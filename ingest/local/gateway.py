"""A local stand-in for the tracking endpoint's API Gateway REST API, for the demo and the tests.

This is NOT API Gateway. It serves the endpoint the component deploys from the same definition
(`components.core.endpoint`): the same routes, the same request models (checked with jsonschema's draft 4
validator, as API Gateway's request validator checks them), the same Velocity mapping templates (rendered by
airspeed with API Gateway's `$input`/`$util`/`$context`, see `ingest.local.vtl`), and the same integration
responses chosen by the Kinesis status code. The rendered request goes to Kinesis as API Gateway's AWS
integration sends it: the JSON body as rendered, signed with SigV4, `X-Amz-Target: Kinesis_20131202.<Action>`.

What it checks as API Gateway does: the API key (`x-api-key`) when the stack uses API keys, the content type
(JSON only, anything else 415), the body size (10 MiB, 413), strict JSON (no NaN, no Infinity, no number too large
for a double: 400) and the model (400, the message names the failing JSON pointer).
What it does not do: usage-plan rate, burst and quota; stage throttling; SigV4 authentication of callers (a stack
with `httpAuth: iam` is refused, rather than served without the check); WAF; access and execution logs; TLS.
What it adds: `GET <base path>/openapi.json` answers the endpoint's OpenAPI document (`components.core.openapi`),
so a client generator or a fuzzer can be pointed at the stand-in; the deployed API exports its own with
`aws apigateway get-export`.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from jsonschema import Draft4Validator

from components.core.endpoint import (
    API_KEY_HEADER,
    JSON_CONTENT_TYPE,
    ORIGIN_HEADER,
    STAGE_NAME,
    EndpointDefinition,
    Route,
)
from components.core.openapi import openapi_document
from ingest.local.vtl import ApiGatewayInput, render

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
"""API Gateway's REST API payload limit."""
LISTED_VALIDATION_ERRORS = 5
LOCAL_API_ID = "local"
"""The stand-in's API id: records sent through it carry `_ingest.source` = `apigateway://local/live/v1/...`."""
LOCAL_API_KEY_ID = "local-key"
OPENAPI_PATH = "/openapi.json"
"""Under the base path: the stand-in's own extra, not a route of the deployed API."""


class KinesisTarget(Protocol):
    """Where the rendered request goes: `post(action, body)` -> (HTTP status, response body)."""

    def post(self, action: str, body: str) -> tuple[int, str]: ...


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: Mapping[str, str]
    """Names in any case; looked up case-insensitively, as HTTP requires."""
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class _InvalidBody(ValueError):
    """The body is not a JSON document API Gateway would accept (syntax, NaN, a number a double cannot hold)."""


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _InvalidBody(f"number {text[:40]} is too large for a double")
    return number


def _reject_constant(name: str) -> Any:
    raise _InvalidBody(f"{name} is not JSON")


def parse_json_body(body: bytes) -> Any:
    """Strict JSON as RFC 8259 defines it, which Python's own parser is not (it accepts NaN and Infinity)."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _InvalidBody(str(exc)) from None


def validation_message(validator: Draft4Validator, document: Any) -> str | None:
    """API Gateway lists the validator's complaints in brackets; here each one starts with its JSON pointer, so a
    bad field is named (`/records/3/data/high: 'abc' is not of type 'number'`)."""
    errors = sorted(validator.iter_errors(document), key=lambda error: [str(part) for part in error.absolute_path])
    if not errors:
        return None
    described = [f"/{'/'.join(str(part) for part in error.absolute_path)}: {error.message}" for error in errors]
    if len(described) > LISTED_VALIDATION_ERRORS:
        described = [*described[:LISTED_VALIDATION_ERRORS], f"... and {len(described) - LISTED_VALIDATION_ERRORS} more"]
    return "[" + ", ".join(described) + "]"


class LocalGateway:
    """Handles one HTTP request the way the deployed REST API does (see the module docstring for the limits)."""

    def __init__(
        self,
        definition: EndpointDefinition,
        *,
        stream_name: str,
        kinesis: KinesisTarget,
        api_keys: Collection[str] = (),
        api_id: str = LOCAL_API_ID,
        stage: str = STAGE_NAME,
        request_ids: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        if definition.auth.authorization != "NONE":
            raise ValueError(
                f"the local stand-in cannot check {definition.auth.authorization} authorization (it does not verify "
                "SigV4 signatures): use api_key or none"
            )
        if definition.auth.api_key_required and not api_keys:
            raise ValueError("api_key authentication needs at least one key")
        self._definition = definition
        self._kinesis = kinesis
        self._api_keys = frozenset(api_keys)
        self._api_id = api_id
        self._stage = stage
        self._request_ids = request_ids
        self._requests = {route.path: route.request_template(stream_name) for route in definition.routes}
        self._validators = {name: Draft4Validator(model) for name, model in definition.models.items()}

    @property
    def base_path(self) -> str:
        return f"/{self._stage}"

    @property
    def api_keys(self) -> tuple[str, ...]:
        return tuple(sorted(self._api_keys))

    def handle(self, request: HttpRequest) -> HttpResponse:
        # Complexity 17: API Gateway's checks in the order it makes them (route, CORS preflight, method, API key,
        # size, media type, body, model), each answering with its own status; the order is the behaviour.
        context = self._context(request)
        resource = request.path.split("?", 1)[0]
        if request.method == "GET" and resource == self.base_path + OPENAPI_PATH:
            return self._openapi()
        if not resource.startswith(self.base_path + "/"):
            return self._gateway_error(
                request, context, 403, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token"
            )
        route = self._definition.route(resource[len(self.base_path) :])
        if route is not None:
            context["resourcePath"] = route.path
        if route is not None and request.method == "OPTIONS" and self._definition.cors_origins:
            return self._preflight(request, context)
        if route is None or request.method != "POST":
            return self._gateway_error(
                request, context, 403, "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token"
            )
        if self._definition.auth.api_key_required and request.header(API_KEY_HEADER) not in self._api_keys:
            return self._gateway_error(request, context, 403, "INVALID_API_KEY", "Forbidden")
        if len(request.body) > MAX_PAYLOAD_BYTES:
            return self._gateway_error(request, context, 413, "REQUEST_TOO_LARGE", "Request Too Long")
        media_type = (request.header("content-type") or JSON_CONTENT_TYPE).split(";", 1)[0].strip().lower()
        if media_type != JSON_CONTENT_TYPE:
            return self._gateway_error(request, context, 415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type")
        try:
            document = parse_json_body(request.body)
        except _InvalidBody as exc:
            return self._invalid_body(request, context, f"[Invalid JSON: {exc}]")
        problems = validation_message(self._validators[route.model_name], document)
        if problems is not None:
            return self._invalid_body(request, context, problems)
        return self._integrate(request, context, route)

    def _openapi(self) -> HttpResponse:
        """The document of the endpoint this stand-in serves, its server the stand-in's own base path (relative,
        so it holds whatever host and port the stand-in was given)."""
        document = openapi_document(self._definition, server_url=self.base_path)
        return HttpResponse(200, json.dumps(document).encode("utf-8"), {"Content-Type": JSON_CONTENT_TYPE})

    def _context(self, request: HttpRequest) -> dict[str, Any]:
        return {
            "apiId": self._api_id,
            "stage": self._stage,
            "requestId": self._request_ids(),
            "httpMethod": request.method,
            "path": request.path.split("?", 1)[0],
            "resourcePath": "",
            "requestTime": datetime.now(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "identity": {
                "sourceIp": request.source_ip,
                "userAgent": request.header("user-agent") or "",
                "apiKey": request.header(API_KEY_HEADER) or "",
            },
        }

    def _params(self, request: HttpRequest) -> dict[str, dict[str, str]]:
        return {"header": dict(request.headers)}

    def _integrate(self, request: HttpRequest, context: dict[str, Any], route: Route) -> HttpResponse:
        params = self._params(request)
        rendered = render(
            self._requests[route.path], input=ApiGatewayInput(request.body.decode("utf-8"), params), context=context
        )
        status, reply = self._kinesis.post(route.action, rendered.body)
        chosen = next(
            (r for r in route.responses if r.selection_pattern and re.fullmatch(r.selection_pattern, str(status))),
            next(r for r in route.responses if r.selection_pattern is None),
        )
        output = render(chosen.template, input=ApiGatewayInput(reply, params), context=context)
        headers = {"Content-Type": JSON_CONTENT_TYPE, **self._cors_static(), **output.headers}
        return HttpResponse(output.status or int(chosen.status_code), output.body.encode("utf-8"), headers)

    def _preflight(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        output = render(
            self._definition.preflight_template, input=ApiGatewayInput("", self._params(request)), context=context
        )
        preflight = self._definition.preflight
        headers = {**dict(preflight.headers), **output.headers}
        return HttpResponse(int(preflight.status), b"", headers)

    def _cors_static(self) -> dict[str, str]:
        return {"Vary": "Origin"} if self._definition.cors_origins else {}

    def _invalid_body(self, request: HttpRequest, context: dict[str, Any], problems: str) -> HttpResponse:
        return self._gateway_error(request, context, 400, "BAD_REQUEST_BODY", "Invalid request body", problems)

    def _gateway_error(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        status: int,
        response_type: str,
        message: str,
        validation: str = "",
    ) -> HttpResponse:
        """Rendered with the definition's gateway response for `response_type` (else its DEFAULT_4XX/5XX). Error
        responses echo the request's Origin when CORS is on, as the deployed gateway responses do."""
        responses = {response.response_type: response for response in self._definition.gateway_responses}
        default = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        response = responses.get(response_type) or responses[default]
        context["error"] = {
            "message": message,
            "messageString": json.dumps(message),
            "responseType": response_type,
            "validationErrorString": validation,
        }
        output = render(response.template, input=ApiGatewayInput(""), context=context)
        headers = {"Content-Type": JSON_CONTENT_TYPE, **self._cors_static()}
        origin = request.header("origin")
        if self._definition.cors_origins and origin:
            headers[ORIGIN_HEADER] = origin
        return HttpResponse(int(response.status_code or status), output.body.encode("utf-8"), headers)
