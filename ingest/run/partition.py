"""Splitting a backfill across N independent workers by a stable hash of each object's URI.

Partitions are numbered from 0 (`--partition 0/4` .. `--partition 3/4`), like Kubernetes'
`JOB_COMPLETION_INDEX` and array indices in CI matrices, so a scheduler's index can be passed as it is.
SHA-256 rather than `hash()`: Python salts string hashes per process, and every worker must agree.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ingest.errors import ConfigurationError

_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def partition_of(uri: str, count: int) -> int:
    """The partition (0 .. count-1) that owns `uri`."""
    digest = hashlib.sha256(uri.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count


@dataclass(frozen=True)
class Partition:
    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ConfigurationError(f"partition count must be at least 1, got {self.count}")
        if not 0 <= self.index < self.count:
            raise ConfigurationError(
                f"partition index must be between 0 and {self.count - 1} for {self.count} partitions "
                f"(they are numbered from 0), got {self.index}"
            )

    @classmethod
    def parse(cls, text: str) -> Partition:
        """Parse "I/N"."""
        match = _SPEC.fullmatch(text)
        if match is None:
            raise ConfigurationError(f"partition must look like I/N (e.g. 0/4), got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def owns(self, uri: str) -> bool:
        return partition_of(uri, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
