"""What Firehose writes to S3 per million records under each stack's buffering and compression: pure arithmetic.

The model, for records arriving at a steady `rate` (records/s, an assumption: pass the rate you expect):
- Firehose buffers the delivered lines (record + the newline its processor appends) before compressing, and
  flushes an object when the buffer holds `buffering_size_mb` MiB or `buffering_interval_seconds` have
  passed, whichever comes first; an object holds at least one record;
- each object is compressed on its own: the ratio is measured by compressing that many lines of a
  representative sample with gzip (level 6; Firehose does not document its level); ZIP is deflate too and
  gets the same ratio; Snappy is not measured (no codec installed) and UNCOMPRESSED is 1; a stack that converts to
  Parquet is not measured here (its objects are not the lines): `bench/storage_cost.py` measures it.
Not modelled: Firehose growing its buffer when it falls behind, a zero buffering interval, and the file a
dynamic partition or an error adds.
"""

from __future__ import annotations

import gzip
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from components.core.settings import TrackingPipelineArgs
from components.core.stack_config import args_from_config
from ingest.local.stack_file import read_stack_file

MIB = 1024 * 1024
MILLION = 1_000_000
STACKS: tuple[str, ...] = ("dev", "prod")
DEFAULT_ARRIVAL_RATES: tuple[float, ...] = (10.0, 1000.0)
"""Records per second: a trickle (interval-bound flushes) and one shard's full record rate (size-bound)."""
DEFLATE_COMPRESSIONS = frozenset({"GZIP", "ZIP"})


@dataclass(frozen=True)
class DeliveryCost:
    stack: str
    arrival_rate: float
    buffering_size_mb: int
    buffering_interval_seconds: int
    compression: str
    flush_trigger: str
    """"size" or "interval": which buffering hint closes the objects at this rate."""
    seconds_per_object: float
    """Also the longest a record waits in the buffer."""
    records_per_object: float
    objects_per_million_records: float
    object_bytes: float | None
    """Average size of an object as stored (compressed); None when the compression is not measured."""
    stored_bytes_per_million_records: float | None
    compression_ratio: float | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def compression_ratio(compression: str, lines: Sequence[bytes]) -> float | None:
    """Stored size over raw size of one object made of `lines`."""
    if compression == "UNCOMPRESSED":
        return 1.0
    if compression not in DEFLATE_COMPRESSIONS:
        return None
    raw = b"".join(lines)
    return len(gzip.compress(raw, compresslevel=6, mtime=0)) / len(raw)


def delivery_cost(
    stack: str, args: TrackingPipelineArgs, arrival_rate: float, sample_lines: Sequence[bytes]
) -> DeliveryCost:
    """`sample_lines`: delivered lines (each ending in a newline) representative of the records' sizes."""
    if arrival_rate <= 0:
        raise ValueError(f"arrival rate must be > 0 records/s, got {arrival_rate}")
    if args.buffering_interval_seconds == 0:
        raise ValueError(f"stack {stack}: a zero buffering interval is not modelled")
    line_bytes = sum(len(line) for line in sample_lines) / len(sample_lines)
    fill_seconds = args.buffering_size_mb * MIB / (arrival_rate * line_bytes)
    by_size = fill_seconds <= args.buffering_interval_seconds
    seconds = fill_seconds if by_size else float(args.buffering_interval_seconds)
    records_per_object = max(1.0, arrival_rate * seconds)
    compression = "PARQUET" if args.record_format == "parquet" else args.compression
    ratio = compression_ratio(compression, sample_lines[: math.ceil(records_per_object)])
    raw_object_bytes = records_per_object * line_bytes
    return DeliveryCost(
        stack=stack,
        arrival_rate=arrival_rate,
        buffering_size_mb=args.buffering_size_mb,
        buffering_interval_seconds=args.buffering_interval_seconds,
        compression=compression,
        flush_trigger="size" if by_size else "interval",
        seconds_per_object=max(seconds, 1 / arrival_rate),
        records_per_object=records_per_object,
        objects_per_million_records=MILLION / records_per_object,
        object_bytes=raw_object_bytes * ratio if ratio is not None else None,
        stored_bytes_per_million_records=MILLION * line_bytes * ratio if ratio is not None else None,
        compression_ratio=ratio,
    )


def stack_delivery_costs(
    sample_lines: Sequence[bytes], *, stacks: Sequence[str] = STACKS, rates: Sequence[float] = DEFAULT_ARRIVAL_RATES
) -> list[DeliveryCost]:
    """Each stack's settings from its `Pulumi.<stack>.yaml`, at each arrival rate."""
    return [
        delivery_cost(stack, args_from_config(read_stack_file(stack)), rate, sample_lines)
        for stack in stacks
        for rate in rates
    ]
