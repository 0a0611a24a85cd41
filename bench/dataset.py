"""The benchmark's data: generated crypto records, encoded exactly as `publish` sends them, and big source files.

Records come from `ingest.sample.generate_records` and go through the same `RecordEncoder` as a run, with
provenance naming a day file of the seed bucket, so every user record has the size and shape of a real one
(~330 bytes).
"""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime
from pathlib import Path

from ingest.records import RecordEncoder
from ingest.sample import SAMPLE_PREFIX, generate_records

SEED_BUCKET = "tgr-hire-devops-test"
_WRITE_BATCH = 1000


def run_id(seed: int) -> str:
    """A fixed run id of the real length (uuid4 hex), so repeated benchmarks send the same bytes."""
    return f"{random.Random(seed).getrandbits(128):032x}"


def day_file_uri(timestamp: float) -> str:
    """The seed bucket's object for the UTC day of `timestamp`, as `publish` names a record's source."""
    day = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    return f"s3://{SEED_BUCKET}/{SAMPLE_PREFIX}{day}.json"


def encoded_records(count: int, *, seed: int = 0) -> list[bytes]:
    """`count` user records as published: compact JSON with provenance. Held in memory (~37 MB for 100,000),
    so every producer is timed on publishing alone."""
    run = run_id(seed)
    encoded = []
    encoders: dict[str, RecordEncoder] = {}
    per_day: dict[str, int] = {}
    for raw in generate_records(count, seed=seed):
        uri = day_file_uri(raw["date"])
        index = per_day.get(uri, 0)
        per_day[uri] = index + 1
        encoder = encoders.get(uri) or encoders.setdefault(uri, RecordEncoder(uri, run))
        encoded.append(encoder.encode(raw, index))
    return encoded


def delivered_lines(records: list[bytes]) -> list[bytes]:
    """What Firehose writes for these records: each followed by the newline its processor appends."""
    return [record + b"\n" for record in records]


def write_json_array(path: Path, target_bytes: int, *, seed: int = 0) -> tuple[int, int]:
    """Stream generated records into `path` as one pretty-printed JSON array (the seed files' layout) until
    it holds at least `target_bytes`; returns (records, bytes). Memory stays at one batch of records."""
    records = 0
    written = 0
    with path.open("w", encoding="utf-8") as out:
        written += out.write("[")
        stream = generate_records(2**62, seed=seed)
        while written < target_bytes:
            batch = list(itertools.islice(stream, _WRITE_BATCH))
            text = json.dumps(batch, indent=2)[1:-2]  # the elements, without "[" and "\n]"
            written += out.write(("," if records else "") + text)
            records += len(batch)
        written += out.write("\n]\n")
    return records, written
