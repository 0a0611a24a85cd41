"""`python -m ingest.sample`: regenerate the committed sample dataset."""

from ingest.sample.dataset import write_sample_dataset

for path in write_sample_dataset():
    print(path)
