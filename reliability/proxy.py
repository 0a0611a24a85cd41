"""A fault-injecting HTTP proxy in front of an endpoint (moto's server), for faults a client object cannot fake.

Clients reach it through `AWS_ENDPOINT_URL_<SERVICE>` (or a plain URL), so what is tested is the real stack:
botocore, urllib3 and sockets. Each rule picks requests and does one of:

- `cut`: send the status line, the headers (with the full Content-Length) and `after_bytes` of the body, then
  reset the connection: what a dropped connection looks like half-way through a download;
- `stall`: send as much, then go silent for `stall_seconds` before closing: a read timeout;
- `hold`: answer nothing until `release()` is called, then drop the request (it never reaches the upstream):
  a call stuck in flight, for killing a process at a known point.

Requests no rule picks are forwarded unchanged. Uploads are forwarded too, but only with a Content-Length body.
"""

from __future__ import annotations

import http.client
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import urlsplit

UPSTREAM_TIMEOUT_SECONDS = 60
HOLD_LIMIT_SECONDS = 120
"""A held request is dropped after this long even if nobody releases it, so a failed check cannot hang."""
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "host"})


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that does not print a traceback when a client drops its connection: dropping
    connections is what these servers' clients are made to do."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    """Header names lower-cased."""


@dataclass
class Rule:
    matches: Callable[[Request], bool]
    action: Literal["cut", "stall", "hold"]
    after_bytes: int = 0
    stall_seconds: float = 0.0
    skip: int = 0
    """Matching requests to forward untouched before the rule starts to apply."""
    times: int | None = 1
    """How many matching requests (after `skip`) get the fault; None: every one."""
    seen: int = 0
    applied: int = 0
    held: threading.Event = field(default_factory=threading.Event)
    """Set once a request is being held."""
    _release: threading.Event = field(default_factory=threading.Event)

    def claim(self, request: Request) -> bool:
        """Whether this rule applies to `request` (counted; call once per request)."""
        if not self.matches(request):
            return False
        self.seen += 1
        if self.seen <= self.skip or (self.times is not None and self.applied >= self.times):
            return False
        self.applied += 1
        return True

    def release(self) -> None:
        self._release.set()


def kinesis_target(operation: str) -> Callable[[Request], bool]:
    """Kinesis calls (JSON protocol) name their operation in the X-Amz-Target header."""
    return lambda request: request.headers.get("x-amz-target") == f"Kinesis_20131202.{operation}"


def object_get(key: str) -> Callable[[Request], bool]:
    """A GET of the object `key` (path-style or virtual-hosted), not a listing."""
    return lambda request: request.method == "GET" and urlsplit(request.path).path.endswith("/" + key)


class FaultProxy:
    def __init__(self, upstream: str, rules: list[Rule]) -> None:
        parts = urlsplit(upstream)
        if parts.hostname is None or parts.port is None:
            raise ValueError(f"upstream must be http://host:port, got {upstream!r}")
        self.upstream = (parts.hostname, parts.port)
        self.rules = rules
        self._lock = threading.Lock()
        self._server = QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def rule_for(self, request: Request) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.claim(request):
                    return rule
        return None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        for rule in self.rules:
            rule.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@contextmanager
def running_proxy(upstream: str, rules: list[Rule]) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream, rules)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


def _handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            """Quiet: the checks report what matters."""

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._proxy()

        do_HEAD = do_PUT = do_POST = do_DELETE = do_GET  # noqa: N815

        def _proxy(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = Request(self.command, self.path, {name.lower(): value for name, value in self.headers.items()})
            rule = proxy.rule_for(request)
            if rule is not None and rule.action == "hold":
                rule.held.set()
                rule._release.wait(HOLD_LIMIT_SECONDS)
                self._reset()
                return
            status, reason, headers, data = self._forward(body)
            self.send_response(status, reason)
            for name, value in headers:
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if rule is None or self.command == "HEAD":
                self.wfile.write(data)
                return
            self.wfile.write(data[: rule.after_bytes])
            self.wfile.flush()
            if rule.action == "stall":
                time.sleep(rule.stall_seconds)
            self._reset()

        def _forward(self, body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
            connection = http.client.HTTPConnection(*proxy.upstream, timeout=UPSTREAM_TIMEOUT_SECONDS)
            try:
                headers = {name: value for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP}
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                return response.status, response.reason, response.getheaders(), response.read()
            finally:
                connection.close()

        def _reset(self) -> None:
            """Close with a TCP reset rather than an orderly shutdown, as a dropped connection does."""
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    return Handler
