"""Faults injected into Kinesis under a real `publish` (in-process moto): every record published or
dead-lettered, the report balanced, the exit status and message as documented."""

from __future__ import annotations

import pytest

from reliability.faults import FAULTS, FaultyKinesis, bench

EXIT_STATUS = {
    "throttle-plain": "exit 0",
    "throttle-aggregated": "exit 0",
    "throttle-persistent": "exit 1",
    "internal-failure-transient": "exit 0",
    "internal-failure-persistent": "run 1: exit 1",
    "credentials-expire": "exit 2",
    "credentials-unknown": "exit 2",
    "credentials-denied": "exit 2",
    "shard-limits": "exit 0",
}


def test_every_scenario_has_its_expected_exit_status():
    assert set(EXIT_STATUS) == set(FAULTS)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_scenario_loses_nothing(tmp_path, name):
    """Each scenario checks its own specifics (exit status, stderr line, dead-letter codes, the stream read back)
    and reports any departure as a problem."""
    outcome = FAULTS[name](tmp_path)

    assert outcome.problems == []
    assert outcome.counts is not None and outcome.counts.lost == 0
    assert outcome.observed.startswith(EXIT_STATUS[name])


def test_the_fault_injector_itself_throttles_and_fails_calls(tmp_path):
    with bench(tmp_path) as bench_:
        faulty = FaultyKinesis(bench_.kinesis, throttle_fraction=1.0)
        answer = faulty.put_records(Records=[{"Data": b"x", "PartitionKey": "k"}], StreamName="faults")
        assert answer["FailedRecordCount"] == 1
        failing = FaultyKinesis(bench_.kinesis, call_fault=lambda call: "InternalFailure")
        with pytest.raises(Exception, match="InternalFailure"):
            failing.put_records(Records=[{"Data": b"x", "PartitionKey": "k"}], StreamName="faults")
        assert sum(1 for _ in bench_.delivered()) == 0
