"""Test doubles for the run: an in-memory source and a publisher with KinesisPublisher's interface."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from ingest.errors import SourceError
from ingest.publishing import OutgoingRecord, PublishAbortedError, PublishOutcome, PublishStats
from ingest.records import Provenance, decode_record
from ingest.sample import generate_records
from ingest.sources import SourceObject


def json_array(count: int, *, start: int = 1514764800, seed: int = 0) -> bytes:
    return json.dumps(list(generate_records(count, start=start, seed=seed))).encode()


@dataclass
class MemorySource:
    """Objects held in memory under `mem://bucket/`, listed in key order like every real source."""

    files: dict[str, bytes] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    """Keys whose `open` raises SourceError, as after a transport's retries."""
    listed: int = 0

    @property
    def uri(self) -> str:
        return "mem://bucket/"

    def put(self, key: str, content: bytes, version: str = "v1") -> str:
        self.files[key] = content
        self.versions[key] = version
        return self.uri + key

    def list_objects(self) -> Iterator[SourceObject]:
        for key in sorted(self.files):
            self.listed += 1
            yield SourceObject(uri=self.uri + key, key=key, size=len(self.files[key]), version=self.versions[key])

    @contextmanager
    def open(self, obj: SourceObject) -> Iterator[BinaryIO]:
        if obj.key in self.unreadable:
            raise SourceError(f"cannot read {obj.uri}: connection reset")
        yield io.BytesIO(self.files[obj.key])


@dataclass
class FakePublisher:
    """Takes records lazily in batches and settles a whole batch at once, in reverse order (batch-completion
    order is not input order). `fail` picks records to fail; `abort_after` raises PublishAbortedError once
    that many records were taken, as the real publisher does when a call fails for good; `on_batch` runs
    before each batch is settled (tests use it to request a stop)."""

    batch_size: int = 7
    fail: Callable[[Provenance], bool] = lambda provenance: False
    abort_after: int | None = None
    on_batch: Callable[[int], None] | None = None
    stats: PublishStats = field(default_factory=PublishStats)
    delivered: list[bytes] = field(default_factory=list)
    taken: int = 0

    def publish(self, records: Iterable[OutgoingRecord]) -> Iterator[PublishOutcome]:
        batch: list[OutgoingRecord] = []
        for record in records:
            self.taken += 1
            batch.append(record)
            if self.abort_after is not None and self.taken >= self.abort_after:
                pending: tuple[Hashable, ...] = tuple(item.ref for item in batch)
                raise PublishAbortedError("fake", "ResourceNotFoundException", "stream deleted", pending)
            if len(batch) == self.batch_size:
                yield from self._settle(batch)
                batch = []
        yield from self._settle(batch)

    def _settle(self, batch: list[OutgoingRecord]) -> Iterator[PublishOutcome]:
        if not batch:
            return
        if self.on_batch is not None:
            self.on_batch(self.taken)
        self.stats.put_calls += 1
        for record in reversed(batch):
            _, provenance = decode_record(record.data)
            if self.fail(provenance):
                yield PublishOutcome(record.ref, ok=False, error_code="InternalFailure", error_message="boom")
                continue
            self.delivered.append(record.data)
            self.stats.kinesis_records += 1
            self.stats.user_records += 1
            self.stats.bytes_published += len(record.data)
            yield PublishOutcome(record.ref, ok=True)

    def delivered_keys(self) -> list[tuple[str, int]]:
        """(source uri, index) of every record delivered, duplicates included."""
        return [(p.source, p.index) for p in (decode_record(data)[1] for data in self.delivered)]
