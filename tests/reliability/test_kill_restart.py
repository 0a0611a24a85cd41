"""`python -m ingest publish` killed with SIGKILL half-way, restarted with its checkpoint: `verify` finds every
record and counts what the restart published twice."""

from __future__ import annotations

import pytest

from reliability.kill_restart import CALLS_BEFORE_KILL, RECORDS, kill_and_restart

pytestmark = pytest.mark.e2e


def test_after_a_kill_and_a_restart_verify_finds_every_record_and_the_republished_copies(tmp_path):
    result = kill_and_restart(tmp_path)

    assert result.problems == []
    assert result.restart_status == 0
    assert result.checkpointed == 3  # two calls of 500 records: the first three day files (864 records)
    check = result.verification
    assert (check.expected, check.delivered, check.missing) == (RECORDS, RECORDS, 0)
    assert check.earlier_runs_expected == 3 * 288
    # The fourth day file: 500 x CALLS_BEFORE_KILL - 864 of its records reached the stream before the kill.
    assert result.restart_duplicates == 500 * CALLS_BEFORE_KILL - 3 * 288
    assert (check.republished, check.unexpected, check.duplicated) == (result.restart_duplicates, 0, 0)
    assert result.counts.lost == 0
