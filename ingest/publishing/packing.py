"""Turn user records into Kinesis records (entries): one each, or many per aggregate (see aggregation.py)."""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable
from typing import NamedTuple, Protocol

from ingest.publishing.batching import PutEntry
from ingest.publishing.model import OutgoingRecord

PARTITION_KEY_CHARS = 32


def random_partition_key(rng: random.Random) -> str:
    """128 random bits in hex: MD5-hashed by Kinesis, so keys spread evenly over every shard's hash range.

    Records need no per-key ordering (each carries its own `date`), so spreading evenly is all a key has
    to do.
    """
    return f"{rng.getrandbits(128):0{PARTITION_KEY_CHARS}x}"


class Route(NamedTuple):
    """Where a keyless entry goes: its partition key and, with a shard map, the shard's hash key."""

    partition_key: str
    explicit_hash_key: str | None = None


class Packer(Protocol):
    """Packs user records into entries; may hold some back until `flush`."""

    def add(self, record: OutgoingRecord) -> list[PutEntry]:
        """Entries completed by adding `record` (none while an aggregate is still filling)."""
        ...

    def flush(self) -> list[PutEntry]:
        """Whatever is held back, as entries."""
        ...

    @property
    def held_refs(self) -> list[Hashable]:
        """Refs of the records held back."""
        ...


class PlainPacker:
    """One Kinesis record per user record: without a shard map each with its own random partition key, with one
    aimed where `route` says."""

    def __init__(self, rng: random.Random, *, route: Callable[[int], Route] | None = None) -> None:
        self._route = route or (lambda size: Route(random_partition_key(rng)))

    @property
    def held_refs(self) -> list[Hashable]:
        return []

    def add(self, record: OutgoingRecord) -> list[PutEntry]:
        route = self._route(len(record.data) + PARTITION_KEY_CHARS)
        return [PutEntry(record.data, route.partition_key, (record.ref,), route.explicit_hash_key)]

    def flush(self) -> list[PutEntry]:
        return []
