"""The JSON run report: what one `publish` run read, published, rejected and failed, object by object.

Totals are derived from the per-object entries when the report is written, so
`records_read == records_published + records_rejected + records_failed` holds by construction as long as
each entry balances (the pipeline settles every record of every entry before the report is final).
Each entry lists the indices it published as ranges: with the run id, `verify` can name every record it
expects as (uri, index) and hence every missing one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from ingest.errors import ConfigurationError
from ingest.index_ranges import IndexRanges
from ingest.json_files import read_json, write_json_atomically
from ingest.stamps import utc_now

REPORT_VERSION = 1


class ObjectOutcome(StrEnum):
    """What one run made of one object, as its report entry says. Not the ingest job's ledger status
    (`components.core.job.ObjectStatus`), which the worker derives from a whole report: an outcome REJECTED here
    means the object was refused whole, while the ledger's REJECTED also covers a PUBLISHED object some of whose
    records were rejected; FAILED becomes the ledger's FAILED (DEAD_LETTERED once the queue gives up)."""

    READING = "reading"
    """Only while the run is in progress; a final report never contains it."""
    PUBLISHED = "published"
    """Read to the end; every record published or rejected."""
    REJECTED = "rejected"
    """Rejected as a whole for its content or format; records read before the problem stand."""
    FAILED = "failed"
    """Could not be read, or some of its records failed to publish: the next run retries it."""
    UNCHANGED = "unchanged"
    """Skipped: the checkpoint says an earlier run (`run_id`) published it with this version and size."""


@dataclass
class ObjectReport:
    """One object's accounting. The counts are this run's; `published_indices` belong to `run_id`.

    For a processed object `run_id` is this run. For an unchanged (skipped) object it is the earlier run the
    checkpoint names, with the indices that run published, so `verify` still knows what to look for.
    """

    uri: str
    run_id: str
    version: str | None = None
    size: int | None = None
    format: str | None = None
    status: ObjectOutcome = ObjectOutcome.READING
    reason: str | None = None
    records_read: int = 0
    published: int = 0
    rejected: int = 0
    failed: int = 0
    published_indices: IndexRanges = field(default_factory=IndexRanges)

    def to_dict(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "version": self.version,
            "size": self.size,
            "format": self.format,
            "status": str(self.status),
            "reason": self.reason,
            "run_id": self.run_id,
            "records_read": self.records_read,
            "published": self.published,
            "rejected": self.rejected,
            "failed": self.failed,
            "published_indices": self.published_indices.to_list(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ObjectReport:
        return cls(
            uri=data["uri"],
            run_id=data["run_id"],
            version=data.get("version"),
            size=data.get("size"),
            format=data.get("format"),
            status=ObjectOutcome(data["status"]),
            reason=data.get("reason"),
            records_read=data["records_read"],
            published=data["published"],
            rejected=data["rejected"],
            failed=data["failed"],
            published_indices=IndexRanges(data["published_indices"]),
        )


@dataclass
class RunReport:
    """The whole run. Object counters that have no entry (listed, outside the partition) are kept here."""

    run_id: str
    source: str
    stream: str
    aggregate: bool
    format: str
    """The `--format` asked for ("auto" or a format name); each object entry says which one was used."""
    partition: str | None = None
    started_at: str = field(default_factory=utc_now)
    finished_at: str | None = None
    aborted: str | None = None
    objects_listed: int = 0
    objects_outside_partition: int = 0
    put_calls: int = 0
    kinesis_records: int = 0
    bytes_published: int = 0
    retries: int = 0
    throttled: int = 0
    dead_letter: str | None = None
    checkpoint: str | None = None
    objects: list[ObjectReport] = field(default_factory=list)

    def _count(self, *statuses: ObjectOutcome) -> int:
        return sum(1 for entry in self.objects if entry.status in statuses)

    @property
    def objects_read(self) -> int:
        """Objects this run opened or tried to (everything with an entry but the unchanged ones)."""
        return len(self.objects) - self.objects_unchanged

    @property
    def objects_unchanged(self) -> int:
        return self._count(ObjectOutcome.UNCHANGED)

    @property
    def objects_skipped(self) -> int:
        return self.objects_unchanged + self.objects_outside_partition

    @property
    def objects_rejected(self) -> int:
        return self._count(ObjectOutcome.REJECTED)

    @property
    def objects_failed(self) -> int:
        return self._count(ObjectOutcome.FAILED, ObjectOutcome.READING)

    @property
    def records_read(self) -> int:
        return sum(entry.records_read for entry in self.objects)

    @property
    def records_published(self) -> int:
        return sum(entry.published for entry in self.objects)

    @property
    def records_rejected(self) -> int:
        return sum(entry.rejected for entry in self.objects)

    @property
    def records_failed(self) -> int:
        return sum(entry.failed for entry in self.objects)

    @property
    def succeeded(self) -> bool:
        """Every valid record published and every object read: exit status 0 (rejections are reported)."""
        return self.aborted is None and self.records_failed == 0 and self.objects_failed == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "report_version": REPORT_VERSION,
            "run_id": self.run_id,
            "source": self.source,
            "stream": self.stream,
            "format": self.format,
            "aggregate": self.aggregate,
            "partition": self.partition,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "aborted": self.aborted,
            "objects_listed": self.objects_listed,
            "objects_read": self.objects_read,
            "objects_skipped": self.objects_skipped,
            "objects_unchanged": self.objects_unchanged,
            "objects_outside_partition": self.objects_outside_partition,
            "objects_rejected": self.objects_rejected,
            "objects_failed": self.objects_failed,
            "records_read": self.records_read,
            "records_published": self.records_published,
            "records_rejected": self.records_rejected,
            "records_failed": self.records_failed,
            "put_calls": self.put_calls,
            "kinesis_records": self.kinesis_records,
            "bytes_published": self.bytes_published,
            "retries": self.retries,
            "throttled": self.throttled,
            "dead_letter": self.dead_letter,
            "checkpoint": self.checkpoint,
            "objects": [entry.to_dict() for entry in self.objects],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunReport:
        names = [item.name for item in fields(cls) if item.name != "objects"]
        return cls(
            **{name: data[name] for name in names},
            objects=[ObjectReport.from_dict(entry) for entry in data["objects"]],
        )

    def own_run_ids(self) -> frozenset[str]:
        """The run id on the records this run wrote (unchanged objects' records carry an earlier run's)."""
        return frozenset({self.run_id})

    def expected_records(self) -> Iterator[tuple[str, str, int]]:
        """Every (run_id, uri, index) this report says was published: what `verify` must find delivered."""
        for entry in self.objects:
            for index in entry.published_indices:
                yield entry.run_id, entry.uri, index


def write_report(report: RunReport, path: Path) -> None:
    write_json_atomically(path, report.to_dict(), indent=2)


def load_report(path: Path) -> RunReport:
    """Read a report back (for `verify`); a missing or malformed file is a configuration error."""
    return parse_report(read_json(path, what="report"), path)


def parse_report(document: Any, path: Path | str) -> RunReport:
    try:
        return RunReport.from_dict(document)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(f"{path} is not a publish run report: {exc!r:.200}") from None
