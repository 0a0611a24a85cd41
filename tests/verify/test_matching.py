"""Matching delivered records to the report: delivered, missing, duplicated, unexpected."""

from __future__ import annotations

from ingest.verify.matching import DeliveredRecords, ExpectedRecords, match_records

EXPECTED = [("r1", "a", 0), ("r1", "a", 1), ("r1", "a", 2), ("r1", "b", 0), ("r0", "c", 5)]


def test_counts_and_missing_in_report_order():
    delivered = DeliveredRecords()
    delivered.add("r1", "a", 0, count=3)  # two extra copies
    delivered.add("r1", "a", 2)
    delivered.add("r0", "c", 5)
    delivered.add("r1", "a", 9)  # this run, not in the report

    outcome = match_records(ExpectedRecords(EXPECTED), delivered, failed=frozenset({("r1", "b", 0)}))

    assert (outcome.expected, outcome.delivered, outcome.missing, outcome.duplicated, outcome.unexpected) == (
        5,
        3,
        2,
        2,
        1,
    )
    assert outcome.missing_records == (("r1", "a", 1), ("r1", "b", 0))
    assert outcome.missing_failed == 1


def test_only_the_first_missing_records_are_listed():
    expected = ExpectedRecords(("r", "a", index) for index in range(100))
    outcome = match_records(expected, DeliveredRecords(), listed=3)
    assert outcome.missing == 100
    assert [index for _, _, index in outcome.missing_records] == [0, 1, 2]


def test_expected_records_are_stored_as_ranges_and_keep_their_run_ids():
    expected = ExpectedRecords(EXPECTED)
    assert len(expected) == 5
    assert expected.run_ids == {"r0", "r1"}
    assert ("r1", "a", 1) in expected and ("r0", "a", 1) not in expected and "nonsense" not in expected
    assert list(expected) == EXPECTED
