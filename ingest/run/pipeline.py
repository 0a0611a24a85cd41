"""`run_pipeline()`: the pipeline a publish run drives over a source and a publisher it has set up (`publish()` in
`ingest.run.publish` does the setup): source -> format -> validation -> publisher, with every record accounted for.

Records stream through one generator into `publisher.publish`, and outcomes are consumed as they arrive,
so memory holds only what the publisher has in flight, whatever the input size. An object is finished when
it has been read to the end and every record it yielded has an outcome; only then is it checkpointed.
A `StopRequest` (set from a SIGINT/SIGTERM handler) winds the run down cleanly: nothing more is read, the
publisher settles what it holds, and the run ends as aborted. Whatever else stops it (a second signal, an
AWS error, a bug), the report is still written, and records the publisher never acknowledged are counted
as failed and dead-lettered, so `records_read` always balances.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Generator, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

from ingest.errors import ConfigurationError, FormatError, SourceError, UnknownFormatError
from ingest.formats import AUTO, DEFAULT_CHUNK_SIZE
from ingest.publishing import OutgoingRecord, PublishOutcome, PublishStats
from ingest.record_reading import RejectedRecord, Stage, read_records, resolve_format
from ingest.records import RecordEncoder
from ingest.run.checkpoint import Checkpoint, CheckpointEntry
from ingest.run.dead_letter import DeadLetterWriter
from ingest.run.partition import Partition
from ingest.run.progress import Progress, SilentProgress
from ingest.run.report import ObjectOutcome, ObjectReport, RunReport, write_report
from ingest.run.stop import StopRequest
from ingest.sources.base import Source, SourceObject
from ingest.stamps import utc_now


class Publisher(Protocol):
    """What the run needs from `ingest.publishing.KinesisPublisher` (and what test fakes provide)."""

    stats: PublishStats

    def publish(self, records: Iterable[OutgoingRecord]) -> Iterator[PublishOutcome]: ...


@dataclass(frozen=True)
class RunSettings:
    format_name: str = AUTO
    """A registered format name, or "auto" to pick one per object from its extension / content type."""
    partition: Partition | None = None
    full: bool = False
    """Publish objects the checkpoint calls unchanged too (the checkpoint is still updated)."""
    chunk_size: int = DEFAULT_CHUNK_SIZE


@dataclass
class _ObjectState:
    slot: int
    obj: SourceObject
    entry: ObjectReport
    pending: dict[int, _InFlight] = field(default_factory=dict)
    """Records handed to the publisher without an outcome yet, by index."""
    read_done: bool = False
    retry_next_run: bool = False
    """Set when re-reading could succeed (source error, unknown format, abort): never checkpointed."""


class _InFlight(NamedTuple):
    """A record the publisher holds. Its `ref` (a sequence number) is what the publisher hands back in the outcome,
    and the run looks it up here: the outcome's ref needs no type check, an unknown one is simply not found. A tuple,
    not a dataclass: one is made per record."""

    ref: int
    state: _ObjectState
    index: int  # type: ignore[assignment]  # the field shadows tuple.index, which no caller uses
    position: str
    data: bytes


def run_pipeline(
    source: Source,
    publisher: Publisher,
    report: RunReport,
    *,
    dead_letter: DeadLetterWriter,
    settings: RunSettings = RunSettings(),
    checkpoint: Checkpoint | None = None,
    progress: Progress | None = None,
    report_path: Path | None = None,
    stop: StopRequest | None = None,
) -> RunReport:
    """Publish every record of `source` and fill in `report`; it is written to `report_path` even on abort.

    Exceptions that stop the run are re-raised after the report is final (its `aborted` field says why).
    """
    run = _Pipeline(
        source,
        publisher,
        report,
        dead_letter,
        settings,
        checkpoint,
        progress or SilentProgress(),
        stop or StopRequest(),
    )
    try:
        run.execute()
    finally:
        if report_path is not None:
            write_report(report, report_path)
    return report


def _abort_reason(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted ({exc})" if str(exc) else "interrupted"
    return f"{type(exc).__name__}: {exc}"


class _Pipeline:
    """The state of one `run_pipeline` call: the objects being read and the records the publisher holds."""

    def __init__(
        self,
        source: Source,
        publisher: Publisher,
        report: RunReport,
        dead_letter: DeadLetterWriter,
        settings: RunSettings,
        checkpoint: Checkpoint | None,
        progress: Progress,
        stop: StopRequest,
    ) -> None:
        self._source = source
        self._publisher = publisher
        self._report = report
        self._dead_letter = dead_letter
        self._settings = settings
        self._checkpoint = checkpoint
        self._progress = progress
        self._stop = stop
        self._active: dict[int, _ObjectState] = {}
        self._next_slot = 0
        self._in_flight: dict[Hashable, _InFlight] = {}
        self._refs = itertools.count()
        # The publisher may pull records on another thread while outcomes are handled on this one.
        self._lock = threading.RLock()

    def execute(self) -> None:
        records = self._outgoing()
        try:
            outcomes = self._publisher.publish(records)
            try:
                for outcome in outcomes:
                    self._acknowledge(outcome)
            finally:
                close = getattr(outcomes, "close", None)
                if close is not None:
                    close()
            self._settle_all("the publisher returned no outcome for it")
            if self._stop.reason is not None:
                self._report.aborted = f"stopped early ({self._stop.reason})"
        except BaseException as exc:
            reason = _abort_reason(exc)
            self._report.aborted = reason
            records.close()
            self._settle_all(f"not acknowledged before the run stopped: {reason}")
            raise
        finally:
            self._take_stats()
            self._report.dead_letter = str(self._dead_letter.path) if self._dead_letter.opened else None
            self._report.finished_at = utc_now()

    def _take_stats(self) -> None:
        stats = self._publisher.stats
        self._report.put_calls = stats.put_calls
        self._report.kinesis_records = stats.kinesis_records
        self._report.bytes_published = stats.bytes_published
        self._report.retries = stats.retries
        self._report.throttled = stats.throttled

    # -- reading side (runs wherever the publisher pulls records) ------------------------------------------

    def _outgoing(self) -> Generator[OutgoingRecord, None, None]:
        for obj in self._source.list_objects():
            if self._stop.requested:
                return
            self._report.objects_listed += 1
            partition = self._settings.partition
            if partition is not None and not partition.owns(obj.uri):
                self._report.objects_outside_partition += 1
                continue
            previous = None
            if self._checkpoint is not None and not self._settings.full:
                previous = self._checkpoint.unchanged(obj)
            if previous is not None:
                self._skip_unchanged(obj, previous)
                continue
            yield from self._read(obj)

    def _skip_unchanged(self, obj: SourceObject, previous: CheckpointEntry) -> None:
        entry = ObjectReport(
            uri=obj.uri,
            run_id=previous.run_id,
            version=obj.version,
            size=obj.size,
            status=ObjectOutcome.UNCHANGED,
            reason=f"unchanged since run {previous.run_id}",
            published_indices=previous.published_indices,
        )
        with self._lock:
            self._report.objects.append(entry)
        self._progress.object_skipped(obj.uri, entry.reason or "")

    def _read(self, obj: SourceObject) -> Iterator[OutgoingRecord]:
        entry = ObjectReport(uri=obj.uri, run_id=self._report.run_id, version=obj.version, size=obj.size)
        with self._lock:
            state = _ObjectState(self._next_slot, obj, entry)
            self._next_slot += 1
            self._active[state.slot] = state
            self._report.objects.append(entry)
        last_position: str | None = None
        encoder = RecordEncoder(obj.uri, self._report.run_id)
        pending, lock, stop, refs, in_flight_by_ref = state.pending, self._lock, self._stop, self._refs, self._in_flight
        try:
            entry.format = resolve_format(obj, self._settings.format_name)
            with self._source.open(obj) as stream:
                records = read_records(
                    stream, obj, format_name=entry.format, judge=encoder.encode, chunk_size=self._settings.chunk_size
                )
                for item in records:
                    if stop.reason is not None:
                        self._stop_reading(state)
                        break
                    last_position = item.position
                    if isinstance(item, RejectedRecord):
                        with lock:
                            entry.records_read += 1
                        self._reject_record(state, item)
                        continue
                    in_flight = _InFlight(next(refs), state, item.index, item.position, item.value)
                    # One lock per record: the count and the pending entry change together.
                    with lock:
                        entry.records_read += 1
                        pending[item.index] = in_flight
                        in_flight_by_ref[in_flight.ref] = in_flight
                    yield OutgoingRecord(item.value, in_flight.ref)
        except UnknownFormatError as exc:
            self._reject_object(state, exc, last_position, retry_next_run=True)
        except ConfigurationError:
            raise  # e.g. the source refuses access: every other object would fail the same way
        except FormatError as exc:
            self._reject_object(state, exc, last_position, retry_next_run=False)
        except SourceError as exc:
            self._reject_object(state, exc, last_position, retry_next_run=True)
        with self._lock:
            state.read_done = True
            self._settle_if_done(state)

    def _stop_reading(self, state: _ObjectState) -> None:
        with self._lock:
            state.entry.status = ObjectOutcome.FAILED
            state.entry.reason = f"stopped before the end ({self._stop.reason})"
            state.retry_next_run = True

    def _reject_record(self, state: _ObjectState, rejected: RejectedRecord) -> None:
        with self._lock:
            state.entry.rejected += 1
            self._dead_letter.write(
                uri=state.obj.uri,
                stage=rejected.stage,
                position=rejected.position,
                index=rejected.index,
                field=rejected.field,
                reason=rejected.reason,
                raw=rejected.raw,
            )
            self._progress.records_acknowledged(1)

    def _reject_object(
        self, state: _ObjectState, exc: Exception, last_position: str | None, *, retry_next_run: bool
    ) -> None:
        position = f"after {last_position}" if last_position else "object"
        with self._lock:
            self._dead_letter.write(uri=state.obj.uri, stage=Stage.OBJECT, position=position, reason=str(exc))
            state.entry.status = ObjectOutcome.FAILED if isinstance(exc, SourceError) else ObjectOutcome.REJECTED
            state.entry.reason = str(exc)
            state.retry_next_run = retry_next_run

    # -- outcome side ----------------------------------------------------------------------------------------

    def _acknowledge(self, outcome: PublishOutcome) -> None:
        with self._lock:
            in_flight = self._in_flight.pop(outcome.ref, None)
            if in_flight is None:
                raise LookupError(f"publisher returned an outcome for a record it was not given: ref={outcome.ref!r}")
            state = in_flight.state
            del state.pending[in_flight.index]
            if outcome.ok:
                state.entry.published += 1
                state.entry.published_indices.add(in_flight.index)
            else:
                state.entry.failed += 1
                self._dead_letter.write(
                    uri=state.obj.uri,
                    stage=Stage.PUBLISH,
                    position=in_flight.position,
                    index=in_flight.index,
                    error_code=outcome.error_code,
                    reason=_failure_reason(outcome),
                    raw=in_flight.data,
                )
            self._progress.records_acknowledged(1)
            if not state.pending and state.read_done:  # checked here first: most outcomes settle nothing
                self._settle_if_done(state)

    def _settle_if_done(self, state: _ObjectState) -> None:
        """Finish an object once it is read and acknowledged: final status, checkpoint, progress."""
        if not state.read_done or state.pending:
            return
        del self._active[state.slot]
        entry = state.entry
        if entry.failed:
            entry.status = ObjectOutcome.FAILED
            entry.reason = entry.reason or f"{entry.failed} records failed to publish"
        elif entry.status is ObjectOutcome.READING:
            entry.status = ObjectOutcome.PUBLISHED
        if self._checkpoint is not None and not entry.failed and not state.retry_next_run:
            self._checkpoint.record(
                state.obj,
                run_id=entry.run_id,
                records_published=entry.published,
                records_rejected=entry.rejected,
                published_indices=entry.published_indices,
            )
        self._progress.object_finished(entry)

    def _settle_all(self, reason: str) -> None:
        """Count whatever the publisher never acknowledged as failed, so every entry balances."""
        with self._lock:
            unacknowledged: list[tuple[str, _InFlight]] = []
            for state in self._active.values():
                unacknowledged.extend((state.obj.uri, state.pending[index]) for index in sorted(state.pending))
                state.entry.failed += len(state.pending)
                state.pending.clear()
                if not state.read_done:
                    state.read_done = True
                    state.retry_next_run = True
                    state.entry.status = ObjectOutcome.FAILED
                    state.entry.reason = f"not read to the end: {self._report.aborted or reason}"
            self._in_flight.clear()
            for state in list(self._active.values()):
                self._settle_if_done(state)
            # Counts first, lines second: if the dead-letter file is what broke, the report still balances.
            for uri, in_flight in unacknowledged:
                self._dead_letter.write(
                    uri=uri,
                    stage=Stage.PUBLISH,
                    position=in_flight.position,
                    index=in_flight.index,
                    reason=reason,
                    raw=in_flight.data,
                )


def _failure_reason(outcome: PublishOutcome) -> str:
    code = outcome.error_code or "PublishFailed"
    return f"{code}: {outcome.error_message}" if outcome.error_message else code
