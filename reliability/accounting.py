"""Measuring "nothing lost": a run's report and dead letters against what actually reached the stream or bucket."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from ingest.run.report import RunReport
from reliability.results import Counts

RecordKey = tuple[str, str, int]
"""(run_id, source URI, index): a record's provenance."""


def read_dead_letters(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def account(
    report: RunReport, dead_letters: list[dict[str, Any]], delivered: Counter[RecordKey]
) -> tuple[Counts, list[str]]:
    """Counts of one run, with `published` and `lost` measured from `delivered` (the copies found downstream).

    A record is lost when the report counts it as read but it is neither delivered nor on a dead-letter line;
    a record the report calls published but that was not delivered is a problem of its own.
    """
    problems = []
    if report.records_read != report.records_published + report.records_rejected + report.records_failed:
        problems.append(
            f"records_read {report.records_read} != published {report.records_published} + rejected "
            f"{report.records_rejected} + failed {report.records_failed}"
        )
    found = lost = 0
    for entry in report.objects:
        if entry.run_id != report.run_id:
            continue  # unchanged since the checkpoint: an earlier run's records
        delivered_here = {index for (run_id, uri, index) in delivered if run_id == report.run_id and uri == entry.uri}
        reported = set(entry.published_indices)
        if reported - delivered_here:
            problems.append(f"{len(reported - delivered_here)} records of {entry.uri} reported published, not found")
        if delivered_here - reported:
            problems.append(f"{len(delivered_here - reported)} records of {entry.uri} found but reported failed")
        dead_lettered = {
            line["index"]
            for line in dead_letters
            if line["uri"] == entry.uri and line["run_id"] == report.run_id and line["index"] is not None
        }
        read = set(range(entry.records_read))
        found += len(delivered_here & read)
        lost += len(read - delivered_here - dead_lettered)
    if lost:
        problems.append(f"{lost} records read but neither delivered nor dead-lettered")
    counts = Counts(report.records_read, found, report.records_rejected, report.records_failed, lost)
    return counts, problems


def duplicates(delivered: Counter[RecordKey]) -> int:
    """Extra copies of the same source record, whichever runs published them."""
    per_record = Counter[tuple[str, int]]()
    for (_, uri, index), copies in delivered.items():
        per_record[(uri, index)] += copies
    return sum(copies - 1 for copies in per_record.values())


def never_delivered(expected: dict[str, int], delivered: Counter[RecordKey]) -> int:
    """Records of the source (URI -> record count) that no run delivered."""
    found = {(uri, index) for (_, uri, index) in delivered}
    return sum(1 for uri, count in expected.items() for index in range(count) if (uri, index) not in found)
