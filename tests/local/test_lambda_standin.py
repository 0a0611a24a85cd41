"""The Lambda stand-in runs concurrent workers in one process: each must get its own execution environment's
module state, or their batch processors would mix up each other's records and failures."""

from __future__ import annotations

from components.core.job import WORKER_HANDLER
from ingest.job import handlers
from ingest.local.lambda_standin import load_handler


def test_each_loaded_worker_handler_has_its_own_batch_processor():
    first, second = load_handler(WORKER_HANDLER), load_handler(WORKER_HANDLER)
    processors = [first.__globals__["processor"], second.__globals__["processor"], handlers.processor]
    assert len({id(processor) for processor in processors}) == 3


def test_a_loaded_handler_is_the_contract_function():
    assert load_handler(WORKER_HANDLER).__qualname__ == WORKER_HANDLER.rpartition(".")[2]
