"""A timeout on every network call: the config of every boto3 client the package builds and the timeout of every
`requests` call it makes, recorded while it works; and its source read for call sites the run did not take."""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import requests
from botocore.config import Config

from ingest import cli
from ingest.local.stack import running_local_stack
from reliability import REPOSITORY
from reliability.corpus import CORPUS_DIR
from reliability.fileserver import serving
from reliability.results import Outcome

PACKAGE = REPOSITORY / "ingest"


@dataclass
class NetworkCalls:
    clients: list[tuple[str, Config | None]] = field(default_factory=list)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)


@contextlib.contextmanager
def recording_network_setup() -> Iterator[NetworkCalls]:
    """Record the config of every boto3 client built and the timeout of every requests call made."""
    calls = NetworkCalls()
    build_client = boto3.session.Session.client
    send = requests.sessions.Session.request

    @functools.wraps(build_client)
    def client(self: boto3.session.Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
        calls.clients.append((service_name, kwargs.get("config")))
        return build_client(self, service_name, *args, **kwargs)

    @functools.wraps(send)
    def request(self: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        calls.requests.append((method, url, kwargs.get("timeout")))
        return send(self, method, url, *args, **kwargs)

    with (
        mock.patch.object(boto3.session.Session, "client", client),
        mock.patch.object(requests.sessions.Session, "request", request),
    ):
        yield calls


def client_problems(calls: NetworkCalls) -> list[str]:
    problems = []
    for service, config in calls.clients:
        explicit = getattr(config, "_user_provided_options", {})
        if not {"connect_timeout", "read_timeout"} <= set(explicit):
            problems.append(f"a {service} client without explicit connect and read timeouts")
    for method, url, timeout in calls.requests:
        if timeout is None:
            problems.append(f"{method} {url} without a timeout")
    return problems


def _exercise_network(workdir: Path) -> None:
    """Every kind of network call the package makes: S3 and HTTP sources, Kinesis, verify's S3 reads, the local
    emulator's own clients and its reset request."""
    site = workdir / "site"
    site.mkdir(parents=True)
    shutil.copyfile(CORPUS_DIR / "json-valid.json", site / "prices.json")
    with running_local_stack() as stack, serving(site) as http_root:
        names, region = stack.pipeline.names, stack.pipeline.region
        stream = ["--stream", names.stream, "--region", region, "--quiet"]
        report = str(workdir / "report.json")
        cli.main(["publish", *stream, "--source", stack.source.url, "--report", report])
        cli.main(
            ["publish", *stream, "--source", f"{http_root}/prices.json", "--dead-letter", str(workdir / "d.jsonl")]
        )
        stack.firehose.flush()
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(["verify", "--report", report, "--bucket", names.bucket, "--region", region, "--timeout", "0"])


_RAW_CLIENT_MODULES = frozenset({"socket", "http.client", "urllib.request", "ftplib", "smtplib", "telnetlib"})


def static_problems(root: Path = PACKAGE) -> list[str]:
    """Calls in the package's source that reach the network without a timeout, found by reading the code: a
    boto3 `.client(...)` without `config=`, a `requests` call without `timeout=`, or a raw socket/urllib/http
    client, so paths the exercise does not take are covered too."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                problems += _raw_client_import(node, where)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                problems += _call_without_timeout(node, node.func, where)
    return problems


def _raw_client_import(node: ast.Import | ast.ImportFrom, where: Path) -> list[str]:
    modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    raw = [name for name in modules if name in _RAW_CLIENT_MODULES]
    return [f"{where}:{node.lineno} imports {raw}: a network client with no timeout policy"] if raw else []


def _call_without_timeout(node: ast.Call, func: ast.Attribute, where: Path) -> list[str]:
    keywords = {keyword.arg for keyword in node.keywords}
    name, owner = func.attr, ast.unparse(func.value)
    problems = []
    builds_client = name in {"client", "resource"} and (owner == "boto3" or "session" in owner.lower())
    if builds_client and "config" not in keywords:
        problems.append(f"{where}:{node.lineno} {owner}.{name}(...) without config=")
    is_requests = owner == "requests" and name in {"get", "post", "put", "head", "delete", "request"}
    if (is_requests or (name == "request" and "session" in owner)) and "timeout" not in keywords:
        problems.append(f"{where}:{node.lineno} {owner}.{name}(...) without timeout=")
    return problems


def network_timeouts(workdir: Path) -> Outcome:
    workdir.mkdir(parents=True, exist_ok=True)
    with recording_network_setup() as calls, contextlib.redirect_stderr(io.StringIO()):
        _exercise_network(workdir)
    problems = client_problems(calls) + static_problems()
    if not calls.clients or not calls.requests:
        problems.append("the exercise built no client or made no request")
    services = sorted({service for service, _ in calls.clients})
    observed = (
        f"{len(calls.clients)} boto3 clients built ({', '.join(services)}) and {len(calls.requests)} requests "
        f"calls made, all with explicit timeouts; the package's source read for calls without one: "
        f"{len(static_problems())} found"
    )
    return Outcome(
        "security",
        "network-timeouts",
        "every boto3 client's config and every requests call recorded while publishing (S3, HTTP), verifying "
        "and running the local stack; plus every call site in ingest/ read",
        observed,
        None,
        problems,
    )
