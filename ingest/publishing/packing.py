"""Turn user records into Kinesis records (entries): one each, or many per aggregate (see aggregation.py)."""

from __future__ import annotations

import random
from typing import Protocol

from ingest.publishing.batching import PutEntry
from ingest.publishing.model import OutgoingRecord

PARTITION_KEY_CHARS = 32


def random_partition_key(rng: random.Random) -> str:
    """128 random bits in hex: MD5-hashed by Kinesis, so keys spread evenly over every shard's hash range.

    Records need no per-key ordering (each carries its own `date`), so spreading evenly is all a key has
    to do.
    """
    return f"{rng.getrandbits(128):0{PARTITION_KEY_CHARS}x}"


class Packer(Protocol):
    """Packs user records into entries; may hold some back until `flush`."""

    def add(self, record: OutgoingRecord) -> list[PutEntry]:
        """Entries completed by adding `record` (none while an aggregate is still filling)."""
        ...

    def flush(self) -> list[PutEntry]:
        """Whatever is held back, as entries."""
        ...


class PlainPacker:
    """One Kinesis record per user record, each with its own random partition key."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def add(self, record: OutgoingRecord) -> list[PutEntry]:
        return [PutEntry(record.data, random_partition_key(self._rng), (record.ref,))]

    def flush(self) -> list[PutEntry]:
        return []
