"""Fix: `verify` names the copies a restart after a crash publishes (`republished`) instead of calling them
`unexpected` (which means "published although the report says it failed")."""

from __future__ import annotations

from ingest.verify.matching import DeliveredRecords, ExpectedRecords, match_records

CRASHED, RESTART = "crashed-run", "restart"


def test_a_crashed_runs_copies_of_records_the_restart_published_are_republished():
    expected = ExpectedRecords(
        [(CRASHED, "a", index) for index in range(3)]  # finished by the crashed run: unchanged for the restart
        + [(RESTART, "b", index) for index in range(3)]  # the crashed run had published b #0 and #1, then died
    )
    delivered = DeliveredRecords()
    for index in range(3):
        delivered.add(CRASHED, "a", index)
        delivered.add(RESTART, "b", index)
    delivered.add(CRASHED, "b", 0)
    delivered.add(CRASHED, "b", 1, count=2)  # Kinesis delivered that one twice
    delivered.add(RESTART, "b", 7)  # listed under no run at all

    outcome = match_records(expected, delivered)

    assert (outcome.expected, outcome.delivered, outcome.missing, outcome.duplicated) == (6, 6, 0, 0)
    assert (outcome.republished, outcome.unexpected) == (3, 1)


def test_without_another_run_nothing_is_republished():
    expected = ExpectedRecords([(RESTART, "b", 0)])
    delivered = DeliveredRecords()
    delivered.add(RESTART, "b", 0, count=2)
    outcome = match_records(expected, delivered)
    assert (outcome.duplicated, outcome.republished, outcome.unexpected) == (1, 0, 0)
