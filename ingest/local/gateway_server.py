"""The local stand-in for API Gateway (`ingest.local.gateway`) served over HTTP on a loopback port.

`serving_endpoint` runs it for the length of a `with` block, as the demo does. Like the deployed endpoint, it
forwards to Kinesis over Kinesis's JSON API with a SigV4 signature (`SignedKinesis`), here to the emulator.
"""

from __future__ import annotations

import logging
import secrets
import string
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from components.core.data_dictionary import load_record_schema
from components.core.endpoint import KINESIS_CONTENT_TYPE, KINESIS_TARGET_PREFIX, endpoint_definition
from components.core.settings import TrackingPipelineArgs
from ingest.local.emulator import LOOPBACK
from ingest.local.gateway import MAX_PAYLOAD_BYTES, HttpRequest, HttpResponse, LocalGateway

LOGGER = logging.getLogger("ingest.local.gateway_server")
KINESIS_TIMEOUT_SECONDS = 29.0
"""API Gateway's integration timeout."""
API_KEY_LENGTH = 40
SHUTDOWN_POLL_SECONDS = 0.05
"""How often the server loop looks for a shutdown request: stopping takes at most this long."""
_KEY_ALPHABET = string.ascii_letters + string.digits


class SignedKinesis:
    """Kinesis's JSON API over HTTP, signed with SigV4: how API Gateway's AWS integration calls the stream."""

    def __init__(self, endpoint_url: str, *, region: str, credentials: Any, session: requests.Session | None = None):
        self._url = endpoint_url.rstrip("/") + "/"
        self._region = region
        self._credentials = credentials
        self._session = session or requests.Session()

    def post(self, action: str, body: str) -> tuple[int, str]:
        request = AWSRequest(
            method="POST",
            url=self._url,
            data=body.encode("utf-8"),
            headers={"Content-Type": KINESIS_CONTENT_TYPE, "X-Amz-Target": KINESIS_TARGET_PREFIX + action},
        )
        SigV4Auth(self._credentials, "kinesis", self._region).add_auth(request)
        response = self._session.post(
            self._url, data=request.body, headers=dict(request.headers.items()), timeout=KINESIS_TIMEOUT_SECONDS
        )
        return response.status_code, response.text


def new_api_key() -> str:
    """40 letters and digits, like the keys API Gateway generates."""
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(API_KEY_LENGTH))


def local_gateway(
    args: TrackingPipelineArgs, *, stream_name: str, kinesis: SignedKinesis, api_key: str | None = None
) -> LocalGateway:
    """The stand-in for the endpoint these `args` deploy, in front of `stream_name`."""
    definition = endpoint_definition(
        load_record_schema(),
        max_batch_records=args.http_max_batch_records,
        cors_origins=args.http_cors_origins,
        auth=args.http_auth,
    )
    keys = [api_key or new_api_key()] if definition.auth.api_key_required else []
    return LocalGateway(definition, stream_name=stream_name, kinesis=kinesis, api_keys=keys)


@dataclass(frozen=True)
class LocalEndpoint:
    url: str
    """Like the stack's `trackingEndpointUrl`: the stage's base URL; routes are `<url>/v1/records` and `/v1/batch`."""
    gateway: LocalGateway


def _handler(gateway: LocalGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "tracking-endpoint-stand-in"

        def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
            self._serve(with_body=False)

        def __getattr__(self, name: str) -> Any:
            """`do_<METHOD>` for every other method, whatever its name (POST, OPTIONS, GET, TRACE, QUERY...):
            http.server would answer a method without its own handler with 501."""
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def _serve(self, *, with_body: bool = True) -> None:
            """Every request reaches the gateway, which answers a method no route declares with API Gateway's 403;
            a HEAD answer carries the headers only."""
            declared = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(declared, MAX_PAYLOAD_BYTES + 1))
            if declared > len(body):
                self.close_connection = True  # the rest of an oversized body is never read
            request = HttpRequest(self.command, self.path, dict(self.headers.items()), body, self.client_address[0])
            try:
                response = gateway.handle(request)
            except Exception:  # a bug in the stand-in: answer as API Gateway does, and keep serving
                LOGGER.exception("the endpoint stand-in failed on %s %s", self.command, self.path)
                response = HttpResponse(
                    500, b'{"message":"Internal server error"}', {"Content-Type": "application/json"}
                )
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if with_body:
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            LOGGER.debug(format, *args)

    return Handler


@contextmanager
def serving_endpoint(gateway: LocalGateway, *, host: str = LOOPBACK, port: int = 0) -> Iterator[LocalEndpoint]:
    """Serve `gateway` on `host` and a port the OS picks (or `port`); it stops when the block ends."""
    server = ThreadingHTTPServer((host, port), _handler(gateway))
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), name="tracking-endpoint-stand-in", daemon=True
    )
    thread.start()
    try:
        bound_port = server.server_address[1]
        yield LocalEndpoint(url=f"http://{host}:{bound_port}{gateway.base_path}", gateway=gateway)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
