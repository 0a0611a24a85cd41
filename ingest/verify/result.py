"""The outcome of a delivery check, as text for people and as one JSON document for machines."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ingest.wording import counted


@dataclass(frozen=True)
class RecordRef:
    """A published record, named as the report names it: its source object and 0-based index there."""

    uri: str
    index: int


@dataclass(frozen=True)
class FailedDelivery:
    """A record found under the error prefix. `uri`/`index`/`run_id` are None when its `rawData` could not be
    read back as a record of ours."""

    error_code: str | None
    error_message: str | None
    uri: str | None
    index: int | None
    run_id: str | None
    attempts_made: int | None
    arrival: str | None
    key: str
    """The error object it is in."""


@dataclass(frozen=True)
class UnreadableObject:
    key: str
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    run_id: str
    bucket: str
    prefix: str
    error_prefix: str
    window_start: str
    """Objects modified before this time (ISO-8601 UTC) were not read."""
    finished_at: str
    """When the publish run finished: the reference point of the latencies."""
    expected: int
    delivered: int
    """Distinct expected records found at least once."""
    missing: int
    duplicated: int
    """Extra copies of expected records (Kinesis and Firehose are at-least-once)."""
    unexpected: int
    """Distinct records of the report's runs that the report does not list as published."""
    republished: int
    """Copies of expected records published again by another of the report's runs: what a run restarted after a
    crash publishes of the objects the crashed run had not finished (the crashed run finished some, so the report
    names it)."""
    foreign: int
    """Pieces of delivered objects that are not records of this package (another producer's lines)."""
    other_runs: int
    """Records of this package from runs the report does not name."""
    first_arrival_seconds: float | None
    """LastModified of the first object holding a record of this run, minus `finished_at` cut to its second, in
    whole seconds (LastModified has one-second resolution): 0 means within the second the run finished; negative
    when Firehose delivered while the run was still going. None when nothing of this run has arrived."""
    last_arrival_seconds: float | None
    """The same for the last such object (duplicates included)."""
    missing_records: tuple[RecordRef, ...]
    """The first missing records, in report order."""
    missing_failed: int
    """How many of the missing records are under the error prefix."""
    failed_delivery_count: int
    """Records of the report's runs found under the error prefix."""
    failed_deliveries: tuple[FailedDelivery, ...]
    """The first of them."""
    other_failures: int
    """Records under the error prefix, in the window, that are not the report's (or cannot be read back)."""
    objects_scanned: int
    error_objects_scanned: int
    unreadable_objects: tuple[UnreadableObject, ...]
    earlier_runs_expected: int
    """Expected records that earlier runs published (objects the report lists as unchanged)."""
    polls: int
    elapsed_seconds: float
    timed_out: bool
    """Records were still missing when the timeout passed (rather than all of them having failed)."""

    @property
    def ok(self) -> bool:
        return self.missing == 0

    def to_dict(self) -> dict[str, Any]:
        """The `--json` form: every field, plus `ok`; records and failures as objects with named fields."""
        document = asdict(self)
        for name in ("missing_records", "failed_deliveries", "unreadable_objects"):
            document[name] = list(document[name])
        return {"ok": self.ok, **document}

    def summary(self) -> str:
        """What an operator reads after the check: counts, latency, what is missing, what failed, verdict."""
        lines = [
            f"Run {self.run_id}: {counted(self.expected, 'record')} expected, {self.delivered} delivered, "
            f"{self.missing} missing, {self.duplicated} duplicated, {self.unexpected} unexpected"
            + (f", {self.republished} republished by another run (a restart)." if self.republished else "."),
            f"Read {counted(self.objects_scanned, 'object')} under s3://{self.bucket}/{self.prefix} written since "
            f"{self.window_start} ({self.foreign} foreign and {self.other_runs} other runs' records ignored), "
            f"in {counted(self.polls, 'poll')} over {self.elapsed_seconds:.0f} s.",
            self._latency_line(),
        ]
        if self.earlier_runs_expected:
            lines.append(
                f"{self.earlier_runs_expected} of the expected records were published by earlier runs (objects "
                "unchanged since the checkpoint); pass --since if they were delivered before the window."
            )
        if self.missing_records:
            lines.append(f"Missing (first {len(self.missing_records)} of {self.missing}):")
            lines.extend(f"  {record.uri} #{record.index}" for record in self.missing_records)
        lines.extend(self._failure_lines())
        lines.extend(f"Unreadable object {item.key}: {item.reason}" for item in self.unreadable_objects)
        lines.append(self._verdict())
        return "\n".join(lines)

    def _latency_line(self) -> str:
        return self.latency_sentence() or f"Latency: no record of run {self.run_id} has arrived."

    def latency_sentence(self) -> str | None:
        """First and last arrival after the run finished, in the whole seconds S3 can tell; None if none arrived."""
        first, last = self.first_arrival_seconds, self.last_arrival_seconds
        if first is None or last is None:
            return None
        during = " (negative: delivered while the run was still going)" if first < 0 else ""
        return (
            f"Latency after the run finished ({self.finished_at}): first arrival {first:.0f} s, last arrival "
            f"{last:.0f} s{during}, in whole seconds (S3's LastModified has one-second resolution)."
        )

    def _failure_lines(self) -> list[str]:
        if not self.failed_delivery_count and not self.other_failures:
            return []
        lines = [
            f"Failed deliveries under s3://{self.bucket}/{self.error_prefix}: "
            f"{counted(self.failed_delivery_count, 'record')} of this report and {self.other_failures} other, "
            f"in {counted(self.error_objects_scanned, 'error object')}."
        ]
        for failure in self.failed_deliveries:
            where = f"{failure.uri} #{failure.index}" if failure.uri is not None else "(not a record of ours)"
            lines.append(f"  {where}: {failure.error_code}: {failure.error_message} ({failure.key})")
        return lines

    def _verdict(self) -> str:
        if self.ok:
            return "OK: every published record arrived."
        failed = f" ({self.missing_failed} of them under the error prefix)" if self.missing_failed else ""
        if self.timed_out:
            return (
                f"FAILED: {counted(self.missing, 'record')} still missing after {self.elapsed_seconds:.0f} s{failed}."
            )
        return f"FAILED: {counted(self.missing, 'record')} missing{failed}: Firehose gave up on them."

    def reason(self) -> str:
        """One line for stderr when the check failed."""
        failed = f", {self.missing_failed} under the error prefix" if self.missing_failed else ""
        return f"{self.missing} of {counted(self.expected, 'record')} missing from s3://{self.bucket}/{self.prefix}{failed}"
