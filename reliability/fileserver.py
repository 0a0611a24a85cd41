"""A small HTTP file server that answers as a static web server or CDN does: ETag, HEAD, `Range: bytes=N-`
and `If-Range`, for the HTTP source's checks (moto's S3 refuses anonymous HEAD requests)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from reliability.proxy import QuietServer


@contextmanager
def serving(root: Path) -> Iterator[str]:
    """Serve the files under `root`; yields the base URL (no trailing slash)."""
    server = QuietServer(("127.0.0.1", 0), _handler_for(root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _handler_for(root: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            """Quiet."""

        def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
            self._answer(send_body=False)

        def do_GET(self) -> None:  # noqa: N802
            self._answer(send_body=True)

        def _answer(self, *, send_body: bool) -> None:
            path = root / self.path.lstrip("/")
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            etag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
            start = self._range_start(etag)
            self.send_response(200 if start is None else 206)
            self.send_header("ETag", etag)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Type", "application/json")
            if start is not None:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(data) - (start or 0)))
            self.end_headers()
            if send_body:
                self.wfile.write(data[start or 0 :])

        def _range_start(self, etag: str) -> int | None:
            """The first byte asked for by `Range: bytes=N-`; None (the whole file, 200) without a range or when
            If-Range names another version, as RFC 9110 says."""
            asked = self.headers.get("Range", "")
            if not asked.startswith("bytes=") or not asked.endswith("-"):
                return None
            if self.headers.get("If-Range") not in (None, etag):
                return None
            return int(asked.removeprefix("bytes=").removesuffix("-"))

    return Handler
