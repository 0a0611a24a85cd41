"""One POST of a batch to the endpoint, and how to read its answer: accepted, refused, or worth another try."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

from ingest.endpoint.contract import (
    API_KEY_ENVIRONMENT,
    BATCH_PATH,
    CONNECT_TIMEOUT_SECONDS,
    READ_TIMEOUT_SECONDS,
    RETRYABLE_STATUSES,
    STREAM_SIDE_STATUSES,
)
from ingest.errors import ConfigurationError
from ingest.retry import RetryPolicy


class EndpointRefusedError(ConfigurationError):
    """403 from the endpoint: a missing or unknown API key, or a URL that is not the endpoint's."""


@dataclass(frozen=True)
class Reply:
    status: int | None
    """None when no response arrived (connection error, timeout)."""
    body: Any = None
    error: str = ""

    def message(self) -> str:
        if isinstance(self.body, dict) and self.body.get("message"):
            return str(self.body["message"])
        return self.error or "no message"

    def describe(self) -> str:
        if self.status is None:
            return self.error
        details = self.body.get("details") if isinstance(self.body, dict) else None
        described = f"HTTP {self.status}: {self.message()}"
        return f"{described} {details}" if details else described


class EndpointClient:
    """Posts batches to `<endpoint>/v1/batch` over one HTTP session."""

    def __init__(self, endpoint: str, *, api_key: str | None, retry: RetryPolicy, session: requests.Session) -> None:
        self.url = endpoint.rstrip("/") + BATCH_PATH
        self._api_key = api_key
        self._retry = retry
        self._session = session

    def post(self, records: list[dict[str, Any]]) -> Reply:
        """Raises EndpointRefusedError on 403: resending will not fix a refused key."""
        headers = {"Content-Type": "application/json", "User-Agent": "ingest-send"}
        if self._api_key:
            headers["x-api-key"] = self._api_key
        body = json.dumps({"records": [{"data": record} for record in records]}, allow_nan=False)
        try:
            response = self._session.post(
                self.url,
                data=body.encode("utf-8"),
                headers=headers,
                timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            )
        except requests.RequestException as exc:
            return Reply(None, error=f"{type(exc).__name__}: {exc}")
        try:
            parsed = response.json()
        except ValueError:
            parsed = None
        reply = Reply(response.status_code, parsed, response.text[:200])
        if reply.status == 403:
            raise EndpointRefusedError(
                f"{self.url} refused the request (403 {reply.message()}): check --api-key (or {API_KEY_ENVIRONMENT}) "
                "and that --endpoint is the stack's trackingEndpointUrl"
            )
        return reply

    def retryable(self, reply: Reply) -> bool:
        """Whether sending the whole request again could succeed."""
        if reply.status is None or reply.status in RETRYABLE_STATUSES:
            return True
        if reply.status in STREAM_SIDE_STATUSES:
            code = reply.body.get("errorCode") if isinstance(reply.body, dict) else None
            return not code or self._retry.is_retryable(code)
        return False
