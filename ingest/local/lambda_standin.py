"""STAND-IN for AWS Lambda, which the local emulator cannot run (moto would need a container runtime).

It replaces exactly two things Lambda does, and calls the real handlers (`ingest.job.handlers`) with the real
event shapes:
- the SQS event source mapping's poller: N workers each receive a batch (with every attribute, so
  ApproximateReceiveCount is SQS's own), build the SQS event, call the worker handler, and delete every message
  not named in `batchItemFailures`; a handler that raises fails its whole batch. That is what Lambda does:
  https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html. Failed messages come back after
  the queue's visibility timeout, and the emulator's redrive policy moves them to the DLQ.
- the planner's asynchronous self-invocation: the functions' environment leaves the planner's own name empty,
  so the planner returns its continuation and `invoke_planner` follows it.
Each concurrent worker loads its own copy of the handler's module, as each of Lambda's execution environments
imports it once: module-level state (Powertools' batch processor, the cached clients) is never shared between
invocations that run at the same time.
What it does not do: enforce the function's timeout or memory, run invocations in separate processes, or scale
the number of workers by itself (it runs the number it is given).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from components.core.job import WORKER_HANDLER
from ingest.job import handlers

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

EMPTY_POLLS_TO_STOP = 3
"""Consecutive empty receives (with nothing in flight either) after which a worker decides the queue is drained."""
EMPTY_POLL_PAUSE_SECONDS = 0.2


class StandInContext:
    """The part of Lambda's context object the handlers use."""

    def __init__(self, function_name: str, timeout_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.function_name = function_name
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = clock() + timeout_seconds
        self._clock = clock

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._clock()) * 1000))


def load_handler(path: str) -> Handler:
    """`module.function` from a fresh copy of the module, as a new execution environment imports it."""
    module_name, _, function = path.rpartition(".")
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module {module_name!r} for the handler {path!r}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handler: Handler = getattr(module, function)
    return handler


@contextmanager
def function_environment(values: Mapping[str, str]) -> Iterator[None]:
    """The environment the component sets on the functions, for the block (the handlers read it per call)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def invoke_planner(
    function_name: str, *, timeout_seconds: float, event: dict[str, Any] | None = None, handler: Handler | None = None
) -> list[dict[str, Any]]:
    """Run the planner, then every continuation it hands on: one result per invocation."""
    run = handler or handlers.plan
    results = []
    next_event: dict[str, Any] | None = event or {}
    while next_event is not None:
        result = run(next_event, StandInContext(function_name, timeout_seconds))
        results.append(result)
        next_event = result.get("next")
    return results


@dataclass
class PollerStats:
    invocations: int = 0
    messages: int = 0
    deleted: int = 0
    failed: int = 0
    """Messages left on the queue because the handler reported them failed (or raised)."""
    errors: list[str] = field(default_factory=list)
    """What raising handlers said, one line each."""


class SqsPollerStandIn:
    """Lambda's SQS poller for one event source mapping, with `workers` concurrent invocations."""

    def __init__(
        self,
        sqs: Any,
        *,
        queue_url: str,
        queue_arn: str,
        region: str,
        function_name: str,
        workers: int,
        batch_size: int,
        timeout_seconds: float,
        handler: Handler | None = None,
    ) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._queue_arn = queue_arn
        self._region = region
        self._function_name = function_name
        self._workers = workers
        self._batch_size = batch_size
        self._timeout_seconds = timeout_seconds
        self._handler = handler
        """None: each worker loads its own copy of the worker handler."""
        self._lock = threading.Lock()
        self.stats = PollerStats()

    def drain(self) -> PollerStats:
        """Run the workers until the queue holds nothing, visible or in flight (a message failed to the DLQ
        counts as gone)."""
        threads = [threading.Thread(target=self._worker, name=f"worker-{n}") for n in range(self._workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self.stats

    def _worker(self) -> None:
        handler = self._handler or load_handler(WORKER_HANDLER)
        empty = 0
        while empty < EMPTY_POLLS_TO_STOP:
            messages = self._sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=self._batch_size,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if messages:
                empty = 0
                self._invoke(handler, messages)
                continue
            if self._queue_is_empty():
                empty += 1
            time.sleep(EMPTY_POLL_PAUSE_SECONDS)

    def _queue_is_empty(self) -> bool:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self._queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return all(int(value) == 0 for value in attributes.values())

    def _invoke(self, handler: Handler, messages: list[dict[str, Any]]) -> None:
        event = {"Records": [self._record(message) for message in messages]}
        context = StandInContext(self._function_name, self._timeout_seconds)
        try:
            response = handler(event, context)
            failed = {entry["itemIdentifier"] for entry in response.get("batchItemFailures", [])}
        except Exception as exc:  # a raising handler fails the whole batch, as in Lambda
            failed = {message["MessageId"] for message in messages}
            with self._lock:
                self.stats.errors.append(f"{type(exc).__name__}: {exc}")
        done = [message for message in messages if message["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(n), "ReceiptHandle": message["ReceiptHandle"]} for n, message in enumerate(done)],
            )
        with self._lock:
            self.stats.invocations += 1
            self.stats.messages += len(messages)
            self.stats.deleted += len(done)
            self.stats.failed += len(messages) - len(done)

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        """One record of the SQS event, as Lambda builds it:
        https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (example event)."""
        body = message["Body"]
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": body,
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._queue_arn,
            "awsRegion": self._region,
        }
