"""Which delivered objects a query reads, and in which format.

An object counts when it sits directly in a Hive-style partition folder below the root (`year=YYYY/month=MM/
day=DD/hour=HH/<object>`, the layout Firehose writes), so pointing at a bucket's data prefix reads the data and
nothing else (the error prefix has its own root). The format is read from each object's first bytes, as `verify`
does: Parquet (`PAR1`), GZIP, or plain JSON lines. One table has one format, in Athena as here: a folder mixing
Parquet with JSON is refused rather than read half.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from components.core.catalog import partition_keys
from ingest.errors import ConfigurationError
from ingest.parquet import PARQUET_MAGIC

GZIP_MAGIC = b"\x1f\x8b"
_PARTITION_FOLDER = {key.name: re.compile(rf"{key.name}=\d+") for key in partition_keys()}


@dataclass(frozen=True)
class DeliveredObjects:
    root: Path
    format: str
    """json or parquet."""
    gzip: tuple[Path, ...] = ()
    """JSON lines objects compressed with GZIP."""
    plain: tuple[Path, ...] = ()
    """Uncompressed JSON lines objects, or the Parquet objects."""

    @property
    def paths(self) -> tuple[Path, ...]:
        return (*self.gzip, *self.plain)

    @property
    def bytes(self) -> int:
        return sum(path.stat().st_size for path in self.paths)


def _in_partition(relative: Path) -> bool:
    folders = relative.parts[:-1]
    return len(folders) == len(_PARTITION_FOLDER) and all(
        pattern.fullmatch(folder) for folder, pattern in zip(folders, _PARTITION_FOLDER.values(), strict=True)
    )


def find_delivered(root: Path) -> DeliveredObjects:
    # Complexity 17: one pass that sorts each file by its magic bytes, then the three refusals (unknown bytes,
    # nothing found, formats mixed), each with its own message; kept together so the rules read in one place.
    if not root.is_dir():
        raise ConfigurationError(f"{root} is not a folder of delivered objects")
    gzip, plain, parquet = [], [], []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or not _in_partition(path.relative_to(root)):
            continue
        with path.open("rb") as stream:
            head = stream.read(4)
        if head == PARQUET_MAGIC:
            parquet.append(path)
        elif head.startswith(GZIP_MAGIC):
            gzip.append(path)
        elif head[:1] in (b"{", b" ", b"\n", b"\r", b"\t"):
            plain.append(path)
        elif head:
            raise ConfigurationError(f"{path}: neither JSON lines (plain or GZIP) nor Parquet; DuckDB cannot read it")
    if not (gzip or plain or parquet):
        raise ConfigurationError(
            f"no delivered objects under {root}: expected {'/'.join(f'{n}=...' for n in _PARTITION_FOLDER)}/ folders"
        )
    if parquet and (gzip or plain):
        raise ConfigurationError(
            f"{root} mixes Parquet ({len(parquet)} objects) with JSON lines ({len(gzip) + len(plain)}): a table "
            "reads one format; query each folder on its own"
        )
    if parquet:
        return DeliveredObjects(root, "parquet", plain=tuple(parquet))
    return DeliveredObjects(root, "json", gzip=tuple(gzip), plain=tuple(plain))


def quote_list(paths: Sequence[Path]) -> str:
    """A DuckDB list literal of file names."""
    return "[" + ", ".join("'" + str(path).replace("'", "''") + "'" for path in paths) + "]"
