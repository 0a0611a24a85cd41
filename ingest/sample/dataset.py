"""The small dataset committed under `SAMPLE_ROOT`, laid out like the seed bucket.

The files are generated, not hand-edited: `python -m ingest.sample` rewrites them byte for byte, and a
test checks that the committed copies still match the generator.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

from ingest.sample.generator import DEFAULT_START, INTERVAL_SECONDS, generate_records

SAMPLE_ROOT = Path(__file__).resolve().parent / "data"
SAMPLE_PREFIX = "crypto/01-data-ingestion/"
SAMPLE_DAYS = 3
RECORDS_PER_DAY = 86_400 // INTERVAL_SECONDS


def sample_files(*, days: int = SAMPLE_DAYS, start: int = DEFAULT_START, seed: int = 0) -> dict[str, bytes]:
    """Key (relative to the bucket root) -> content: one pretty-printed JSON array per UTC day, as the
    source publishes them. One continuous walk is cut into days, so prices join up across files."""
    records = generate_records(days * RECORDS_PER_DAY, start=start, seed=seed)
    files: dict[str, bytes] = {}
    for day in range(days):
        day_records = list(itertools.islice(records, RECORDS_PER_DAY))
        day_name = datetime.fromtimestamp(start + day * 86_400, tz=UTC).strftime("%Y-%m-%d")
        files[f"{SAMPLE_PREFIX}{day_name}.json"] = (json.dumps(day_records, indent=2) + "\n").encode("utf-8")
    return files


def write_sample_dataset(root: Path = SAMPLE_ROOT) -> list[Path]:
    """(Re)write the sample files under `root`; returns their paths."""
    written = []
    for key, content in sample_files().items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written
