"""The AWS clients one function invocation uses, built on first use from the standard chain.

Built lazily and once per process: a Lambda execution environment is reused across invocations, so the clients
(and their connection pools) outlive one event, while nothing is built at import time (moto, and a test's
environment, must be in place first)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache, cached_property
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


def environment_clients(environ: Mapping[str, str] = os.environ) -> JobClients:
    """One set of clients per process, which Lambda reuses across invocations. Keyed by where the standard chain
    points them, so a process that runs the handlers against several endpoints in turn (the local stand-in, one
    emulator per test) never reuses a client bound to an endpoint that is gone."""
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    return _clients_for(environ.get("AWS_ENDPOINT_URL"), region)


@cache
def _clients_for(endpoint_url: str | None, region: str | None) -> JobClients:
    return JobClients(region)
