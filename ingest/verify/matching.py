"""Delivered records against the records a run report says were published, keyed by (run_id, uri, index).

Kinesis and Firehose deliver at least once, so a record may arrive more than once: extra copies are counted
as `duplicated`, never as an error. A run restarted after a crash publishes again what the crashed run had
published of the objects it did not finish: those copies carry the crashed run's id and are `republished`
when the report lists the same source record under another of its runs (the crashed run's finished objects
put its id in the report). Any other record of the report's runs that the report does not list (say, one the
publisher counted as failed but which got through) is `unexpected`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ingest.index_ranges import IndexRanges

RecordKey = tuple[str, str, int]
"""(run_id, uri, index): what a report lists and what a record's provenance says."""
Group = tuple[str, str]
"""(run_id, uri): records are grouped per object so run ids and URIs are stored once, not per record."""


class ExpectedRecords:
    """The report's published records, as compact index ranges per (run_id, uri), in report order."""

    def __init__(self, records: Iterable[RecordKey]) -> None:
        self._groups: dict[Group, IndexRanges] = {}
        for run_id, uri, index in records:
            self._groups.setdefault((run_id, uri), IndexRanges()).add(index)
        self._runs_by_uri: dict[str, list[tuple[str, IndexRanges]]] = {}
        for (run_id, uri), indices in self._groups.items():
            self._runs_by_uri.setdefault(uri, []).append((run_id, indices))

    def listed_for_another_run(self, key: RecordKey) -> bool:
        """Whether the report lists this source record (uri, index) as published by a run other than key's."""
        run_id, uri, index = key
        return any(other != run_id and index in indices for other, indices in self._runs_by_uri.get(uri, ()))

    @property
    def run_ids(self) -> frozenset[str]:
        return frozenset(run_id for run_id, _ in self._groups)

    def __len__(self) -> int:
        return sum(len(indices) for indices in self._groups.values())

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 3:
            return False
        run_id, uri, index = key
        indices = self._groups.get((run_id, uri))
        return indices is not None and index in indices

    def __iter__(self) -> Iterator[RecordKey]:
        for (run_id, uri), indices in self._groups.items():
            for index in indices:
                yield run_id, uri, index


@dataclass
class DeliveredRecords:
    """How many copies of each record of the report's runs were found (records of other runs are not kept)."""

    copies: dict[Group, Counter[int]] = field(default_factory=dict)

    def add(self, run_id: str, uri: str, index: int, count: int = 1) -> None:
        self.copies.setdefault((run_id, uri), Counter())[index] += count

    def merge(self, other: DeliveredRecords) -> None:
        for group, counts in other.copies.items():
            self.copies.setdefault(group, Counter()).update(counts)

    def count(self, key: RecordKey) -> int:
        run_id, uri, index = key
        counts = self.copies.get((run_id, uri))
        return counts[index] if counts is not None else 0


@dataclass(frozen=True)
class Match:
    expected: int
    delivered: int
    """Distinct expected records found at least once."""
    missing: int
    duplicated: int
    """Extra copies of expected records."""
    unexpected: int
    """Distinct records of the report's runs that the report does not list (under any of its runs)."""
    republished: int
    """Copies of expected records that another of the report's runs published (a restart after a crash)."""
    missing_records: tuple[RecordKey, ...]
    """The first missing records, in report order."""
    missing_failed: int
    """Missing records that are under the error prefix: Firehose gave up on them, waiting will not help."""


def match_records(
    expected: ExpectedRecords,
    delivered: DeliveredRecords,
    *,
    failed: frozenset[RecordKey] = frozenset(),
    listed: int = 20,
) -> Match:
    found = duplicated = missing = missing_failed = 0
    first_missing: list[RecordKey] = []
    for key in expected:
        copies = delivered.count(key)
        if copies:
            found += 1
            duplicated += copies - 1
            continue
        missing += 1
        missing_failed += key in failed
        if len(first_missing) < listed:
            first_missing.append(key)
    unexpected = republished = 0
    for (run_id, uri), counts in delivered.copies.items():
        for index, copies in counts.items():
            key = (run_id, uri, index)
            if key in expected:
                continue
            if expected.listed_for_another_run(key):
                republished += copies
            else:
                unexpected += 1
    return Match(
        expected=found + missing,
        delivered=found,
        missing=missing,
        duplicated=duplicated,
        unexpected=unexpected,
        republished=republished,
        missing_records=tuple(first_missing),
        missing_failed=missing_failed,
    )
