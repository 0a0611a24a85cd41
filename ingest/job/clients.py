"""The AWS clients one function invocation uses, built on first use from the standard chain.

Built lazily and once per process: a Lambda execution environment is reused across invocations, so the clients
(and their connection pools) outlive one event, while nothing is built at import time (moto, and a test's
environment, must be in place first)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ingest.clients import aws_client, client_config


class JobClients:
    def __init__(self, region: str | None = None) -> None:
        self._region = region

    def _client(self, service: str) -> Any:
        return aws_client(service, region=self._region, config=client_config())

    @cached_property
    def dynamodb(self) -> Any:
        return self._client("dynamodb")

    @cached_property
    def sqs(self) -> Any:
        return self._client("sqs")

    @cached_property
    def s3(self) -> Any:
        return self._client("s3")

    @cached_property
    def lambda_(self) -> Any:
        return self._client("lambda")
