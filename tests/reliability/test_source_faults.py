"""Connections reset or stalled while a source object downloads, through a fault-injecting proxy in front of
moto's server (S3) or a web server (HTTP), under a real `publish`."""

from __future__ import annotations

import pytest

from reliability.source_faults import SOURCE_FAULTS

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("name", sorted(SOURCE_FAULTS))
def test_a_broken_download_loses_nothing(tmp_path, name):
    """Each scenario checks the exit statuses, the stream read back, and that the reads were resumed."""
    outcome = SOURCE_FAULTS[name](tmp_path)

    assert outcome.problems == []
    assert outcome.counts is not None and outcome.counts.lost == 0 and outcome.counts.published > 0
    assert "0 duplicates in the stream" in outcome.observed
