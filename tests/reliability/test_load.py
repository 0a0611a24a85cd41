"""The load run, small: 20,000 generated records through the local pipeline, publish and verify as child
processes. The million-record run is `python -m reliability load --records 1000000` (not part of `make test`)."""

from __future__ import annotations

import pytest

from reliability.load import MEMORY_BUDGET_BYTES, load_outcome, run_load

pytestmark = pytest.mark.e2e


def test_twenty_thousand_records_end_to_end_nothing_missing_memory_within_budget(tmp_path, capsys):
    result = run_load(20_000, tmp_path)
    with capsys.disabled():
        print("\n" + result.summary())

    outcome = load_outcome(result)
    assert outcome.problems == []
    assert (result.publish.status, result.verify.status) == (0, 0)
    assert result.verification["expected"] == result.verification["delivered"] == 20_000
    assert result.verification["missing"] == 0
    assert 0 < result.publish.peak_rss_bytes <= MEMORY_BUDGET_BYTES
