"""The whole local pipeline up and running: emulator, seeded source bucket, provisioned stack, Firehose
stand-in, and the process environment pointed at the emulator. The demo runs in it; tests reuse it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from components.core.settings import TrackingPipelineArgs
from ingest.local.emulator import Emulator, emulator_environment, running_emulator
from ingest.local.firehose_standin import DEFAULT_POLL_SECONDS, FirehoseStandIn
from ingest.local.provision import LocalPipeline, provision
from ingest.local.seed import SeededSource, seed_source


@dataclass(frozen=True)
class LocalStack:
    emulator: Emulator
    source: SeededSource
    pipeline: LocalPipeline
    firehose: FirehoseStandIn
    """Already polling in the background; `firehose.flush()` delivers everything readable at once."""


@contextmanager
def running_local_stack(
    *,
    args: TrackingPipelineArgs | None = None,
    records: int | None = None,
    region: str | None = None,
    firehose_poll_seconds: float = DEFAULT_POLL_SECONDS,
) -> Iterator[LocalStack]:
    """Inside the block, code using the standard AWS chain (publish, verify) talks to the emulator. `args`
    defaults to the dev stack's settings, `records` to the committed sample dataset."""
    with running_emulator(region) as emulator, emulator_environment(emulator):
        source = seed_source(emulator.client("s3"), region=emulator.region, records=records)
        pipeline = provision(emulator.client, region=emulator.region, args=args)
        firehose = FirehoseStandIn.for_delivery_stream(
            pipeline.names.delivery_stream,
            firehose=emulator.client("firehose"),
            kinesis=emulator.client("kinesis"),
            s3=emulator.client("s3"),
            glue=emulator.client("glue"),
            poll_seconds=firehose_poll_seconds,
        )
        firehose.start()
        try:
            yield LocalStack(emulator, source, pipeline, firehose)
        finally:
            firehose.stop(flush=False)
