"""Records for tests, made from the data dictionary's sample generator instead of typed out in each test: a change
to the dictionary reaches every test through `ingest.sample.generate_records`, which always passes validation."""

from __future__ import annotations

from ingest.records import FIELDS
from ingest.sample import generate_records


def sample_record(seed: int = 0) -> dict[str, object]:
    """One valid record, as a JSON reader would produce it, with every field of the dictionary in its order."""
    [record] = generate_records(1, seed=seed)
    assert tuple(record) == FIELDS, "the sample generator no longer follows the data dictionary"
    return dict(record)
