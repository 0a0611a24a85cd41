import random

import pytest

from ingest.index_ranges import IndexRanges


def test_contiguous_indices_in_any_order_collapse_to_one_range():
    indices = list(range(1000))
    random.Random(7).shuffle(indices)
    ranges = IndexRanges()
    for index in indices:
        ranges.add(index)
    assert ranges.to_list() == [[0, 999]]
    assert len(ranges) == 1000


def test_gaps_stay_visible_and_adjacent_ranges_merge():
    ranges = IndexRanges()
    for index in (5, 0, 1, 9, 2, 7, 8):
        ranges.add(index)
    assert ranges.to_list() == [[0, 2], [5, 5], [7, 9]]
    ranges.add_range(3, 4)
    assert ranges.to_list() == [[0, 5], [7, 9]]
    ranges.add(6)
    assert ranges.to_list() == [[0, 9]]


def test_random_sets_round_trip_exactly():
    rng = random.Random(3)
    for _ in range(50):
        expected = {rng.randrange(200) for _ in range(rng.randrange(120))}
        ranges = IndexRanges()
        for index in expected:
            ranges.add(index)
        assert set(ranges) == expected
        assert len(ranges) == len(expected)
        assert all(index in ranges for index in expected)
        assert not any(index in ranges for index in set(range(200)) - expected)
        assert IndexRanges(ranges.to_list()) == ranges


def test_adding_an_index_twice_does_not_count_it_twice():
    ranges = IndexRanges([[0, 3]])
    ranges.add(2)
    assert len(ranges) == 4


def test_rejects_inverted_or_negative_ranges():
    with pytest.raises(ValueError):
        IndexRanges([[3, 1]])
    with pytest.raises(ValueError):
        IndexRanges().add(-1)
