"""A single file behind an `http(s)://` URL (any URL that is not an S3 endpoint), through `requests`.

Bytes are handed on exactly as the server sent them: the body is read from `Response.raw` without decoding,
and a `Content-Encoding: gzip` is reported in `SourceObject.content_encoding` for `ingest.formats` to undo,
the same way an S3 object stored gzipped is. Doing it in one place keeps decompression bounded everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ingest.errors import SourceError
from ingest.sources.base import SourceObject
from ingest.sources.byte_streams import guarded_stream
from ingest.sources.errors import SourceUnavailableError
from ingest.sources.options import SourceOptions
from ingest.sources.registry import register_source

CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60
RETRY_STATUSES = (429, 500, 502, 503, 504)
_UNAVAILABLE_STATUSES = (401, 403, 404, 410)
_NO_HEAD_STATUSES = (405, 501)
_READ_ERRORS = (urllib3.exceptions.HTTPError, requests.RequestException, OSError)


def build_session(*, retries: int = 3, backoff_factor: float = 0.5) -> requests.Session:
    """A session retrying connection errors and 429/5xx answers on the idempotent GET and HEAD."""
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class HttpSource:
    """One object: the file at `url`. Its key is the last path segment, which drives format detection."""

    def __init__(self, url: str, session: requests.Session) -> None:
        self._url = url
        self._session = session

    @property
    def uri(self) -> str:
        return self._url

    def list_objects(self) -> Iterator[SourceObject]:
        """The single file, described by a HEAD request (servers refusing HEAD get an undescribed object)."""
        response = self._request("HEAD")
        response.close()
        if response.status_code in _NO_HEAD_STATUSES:
            yield SourceObject(uri=self._url, key=self._key)
            return
        if not response.ok:
            unavailable = response.status_code in _UNAVAILABLE_STATUSES
            raise (SourceUnavailableError if unavailable else SourceError)(self._failure("cannot list", response))
        yield self._describe(response)

    @contextmanager
    def open(self, obj: SourceObject) -> Iterator[BinaryIO]:
        """The file's bytes. A connection that breaks while they stream is resumed with a Range request for
        the rest, when the server says it serves ranges and the listing gave a version to pin them to."""
        response = self._request("GET", stream=True)
        resumed: list[requests.Response] = []
        try:
            if not response.ok:
                raise SourceError(self._failure("cannot read", response))
            served = self._describe(response)
            if obj.version and served.version and served.version != obj.version:
                raise SourceError(f"{obj.uri} changed since it was listed (version {obj.version} -> {served.version})")
            reopen = None
            if served.version and response.headers.get("Accept-Ranges", "").strip().lower() == "bytes":
                reopen = functools.partial(self._rest, served, opened=resumed)
            stream = guarded_stream(response.raw, obj.uri, _READ_ERRORS, reopen=reopen, size=served.size)
            try:
                yield stream
            finally:
                stream.close()
        finally:
            response.close()
            for extra in resumed:
                extra.close()

    def _rest(self, served: SourceObject, offset: int, opened: list[requests.Response]) -> Any:
        """The body from byte `offset` on, of the version first served (If-Range), else a SourceError."""
        assert served.version is not None
        headers = {"Range": f"bytes={offset}-", "If-Range": served.version}
        response = self._request("GET", stream=True, headers=headers)
        opened.append(response)
        if offset == 0 and response.status_code == 200 and self._describe(response).version == served.version:
            return response.raw  # a server may answer a range from byte 0 with the whole (same) file
        content_range = response.headers.get("Content-Range", "")
        if response.status_code != 206 or not content_range.startswith(f"bytes {offset}-"):
            # 200 instead of 206: If-Range found a different version (or ranges are not served after all).
            raise SourceError(
                f"cannot resume {self._url} at byte {offset}: HTTP {response.status_code} {response.reason}"
                f"{', the file changed' if response.status_code == 200 else ''}"
            )
        return response.raw

    def _request(
        self, method: str, *, stream: bool = False, headers: dict[str, str] | None = None
    ) -> requests.Response:
        try:
            return self._session.request(
                method,
                self._url,
                stream=stream,
                headers=headers,
                allow_redirects=True,
                timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            )
        except requests.RequestException as exc:
            raise SourceError(f"cannot reach {self._url}: {exc}") from exc

    def _failure(self, action: str, response: requests.Response) -> str:
        return f"{action} {self._url}: HTTP {response.status_code} {response.reason}"

    def _describe(self, response: requests.Response) -> SourceObject:
        headers = response.headers
        length = headers.get("Content-Length")
        return SourceObject(
            uri=self._url,
            key=self._key,
            size=int(length) if length and length.isdigit() else None,
            version=headers.get("ETag") or headers.get("Last-Modified"),
            content_type=headers.get("Content-Type"),
            content_encoding=headers.get("Content-Encoding"),
        )

    @property
    def _key(self) -> str:
        return unquote(urlsplit(self._url).path).rsplit("/", 1)[-1]


def _from_url(spec: str, options: SourceOptions) -> HttpSource:
    return HttpSource(spec, build_session())


register_source("http", _from_url, schemes=("http", "https"))
