import pytest

from ingest.wording import counted


@pytest.mark.parametrize(
    ("number", "expected"), [(0, "0 records"), (1, "1 record"), (2, "2 records")], ids=["zero", "one", "many"]
)
def test_a_count_is_plural_unless_it_is_one(number, expected):
    assert counted(number, "record") == expected
