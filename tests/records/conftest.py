import pytest

from tests.sample_records import sample_record


@pytest.fixture
def valid_raw() -> dict[str, object]:
    """One record as a JSON reader would produce it."""
    return sample_record()
