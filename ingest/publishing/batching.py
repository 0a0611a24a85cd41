"""Group Kinesis records into PutRecords calls that stay inside the per-call limits."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from components.core.limits import KINESIS_LIMITS, KinesisLimits, check_partition_key, entry_size


@dataclass(frozen=True)
class PutEntry:
    """One Kinesis record of a PutRecords call, and the user records whose fate it decides.

    Without aggregation `refs` has one element; an aggregate carries all of its user records' refs, since
    the service accepts or refuses it as a unit.
    """

    data: bytes
    partition_key: str
    refs: tuple[Hashable, ...]
    explicit_hash_key: str | None = None
    """Set when the entry is aimed at a shard: the decimal hash key inside that shard's range."""
    size: int = field(init=False)

    def __post_init__(self) -> None:
        check_partition_key(self.partition_key)
        object.__setattr__(self, "size", entry_size(self.data, self.partition_key))

    def request(self) -> dict[str, object]:
        if self.explicit_hash_key is None:
            return {"Data": self.data, "PartitionKey": self.partition_key}
        return {"Data": self.data, "PartitionKey": self.partition_key, "ExplicitHashKey": self.explicit_hash_key}


class BatchBuilder:
    """Collects entries until the next one would break a per-call limit.

    Holding at most one call's worth of entries is what bounds the publisher's memory.
    """

    def __init__(self, limits: KinesisLimits = KINESIS_LIMITS) -> None:
        self._limits = limits
        self._entries: list[PutEntry] = []
        self._bytes = 0

    def fits(self, entry: PutEntry) -> bool:
        """Whether `entry` joins the entries held without breaking a per-call limit."""
        return not self._entries or (
            len(self._entries) < self._limits.max_records_per_call
            and self._bytes + entry.size <= self._limits.max_bytes_per_call
        )

    def add(self, entry: PutEntry) -> list[PutEntry] | None:
        """Add `entry`; when it does not fit, return the completed batch and start the next one with it."""
        if entry.size > self._limits.max_bytes_per_record:
            raise ValueError(f"entry of {entry.size} bytes exceeds the per-record limit")
        completed = None if self.fits(entry) else self.take()
        self._entries.append(entry)
        self._bytes += entry.size
        return completed

    def take(self) -> list[PutEntry]:
        """Empty the builder and return what it held (possibly nothing)."""
        entries, self._entries, self._bytes = self._entries, [], 0
        return entries
