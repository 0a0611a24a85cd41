"""Fixtures for the source tests: fake AWS credentials, an isolated source registry, a local HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.sources import registry
from ingest.sources.registry import ENTRY_POINT_GROUP
from tests.aws_env import use_fake_aws, use_isolated_aws
from tests.plugin_entry_points import isolate_registry, plugin_entry_point  # noqa: F401  (a fixture)


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_isolated_aws(monkeypatch, tmp_path, region=None)


@pytest.fixture(scope="module")
def module_fake_aws_credentials(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fake credentials for module-scoped moto fixtures (seeding 1,005 keys once per module)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_fake_aws(monkeypatch, tmp_path_factory.mktemp("aws"), region="us-east-1")
        yield


@pytest.fixture
def isolated_source_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_registry(monkeypatch, registry)


@dataclass
class Route:
    """What the test server answers for one path: a queue of statuses first, then the body."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    failures: list[int] = field(default_factory=list)
    allow_head: bool = True


@dataclass
class FileServer:
    base_url: str
    routes: dict[str, Route]
    requests: list[tuple[str, str]]

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def serve(self, path: str, body: bytes, headers: dict[str, str] | None = None, **route: object) -> str:
        """Answer `path` with `body` (see Route for `failures`, `allow_head`); returns its URL."""
        self.routes[path] = Route(body, headers or {}, **route)  # type: ignore[arg-type]
        return self.url(path)


def _handler(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def _answer(self, *, send_body: bool) -> None:
            server.requests.append((self.command, self.path))
            route = server.routes.get(self.path)
            if route is None:
                self._status(404)
                return
            if self.command == "HEAD" and not route.allow_head:
                self._status(405)
                return
            if route.failures:
                self._status(route.failures.pop(0))
                return
            self.send_response(200)
            for name, value in {"Content-Length": str(len(route.body)), **route.headers}.items():
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                self.wfile.write(route.body)

        def _status(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test output should only show failures."""

    return Handler


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    """A tiny HTTP server on 127.0.0.1 serving `routes`, recording every request it gets."""
    server = FileServer(base_url="", routes={}, requests=[])
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    server.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def entry_point_group() -> str:
    return ENTRY_POINT_GROUP
