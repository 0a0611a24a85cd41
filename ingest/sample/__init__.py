"""Stage layer of `ingest`, the sample (beside sources, formats, records, publishing): synthetic records to the
data dictionary, and a tiny dataset shaped like the seed bucket."""

from ingest.sample.dataset import SAMPLE_PREFIX, SAMPLE_ROOT, sample_files, write_sample_dataset
from ingest.sample.generator import generate_records

__all__ = ["SAMPLE_PREFIX", "SAMPLE_ROOT", "generate_records", "sample_files", "write_sample_dataset"]
