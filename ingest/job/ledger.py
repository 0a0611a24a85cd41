"""The DynamoDB ledger: one item per source object, the only place that says what happened to it.

Every write is conditional, because two planners may list at once and SQS delivers a message at least once
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html):
the planner claims a version only if the ledger has not seen it; a worker starts only on the claimed version, and
only one worker at a time holds an object (a lease that expires, so a killed worker's object is taken over); only
the holder writes the outcome, so a duplicate delivery never counts twice. Condition expressions:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from botocore.exceptions import ClientError

from components.core.job import LEDGER, ObjectStatus
from ingest.job.messages import WorkItem, version_size

BATCH_GET_LIMIT = 100
"""BatchGetItem reads at most 100 items per call:
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html"""

_NAMES = {
    "#key": LEDGER.key,
    "#version": LEDGER.version,
    "#status": LEDGER.status,
    "#attempts": LEDGER.attempts,
    "#run": LEDGER.run_id,
    "#holder": LEDGER.holder,
    "#lease": LEDGER.lease_until,
    "#updated": LEDGER.updated_at,
    "#enqueued": LEDGER.enqueued_at,
    "#published": LEDGER.published,
    "#rejected": LEDGER.rejected,
    "#failed": LEDGER.failed,
    "#reason": LEDGER.reason,
    "#report": LEDGER.report_uri,
    "#dead_letter": LEDGER.dead_letter_uri,
    "#receives": LEDGER.receive_count,
    "#message": LEDGER.message_id,
    "#sent": LEDGER.sent_at,
}
"""Every attribute through a placeholder: some names (`status`) are DynamoDB reserved words, and DynamoDB rejects a
placeholder an expression does not use, so `_names` passes only the ones an expression names."""


def _names(*expressions: str) -> dict[str, str]:
    text = " ".join(expressions)
    return {placeholder: name for placeholder, name in _NAMES.items() if re.search(rf"{placeholder}\b", text)}


class StartOutcome(Enum):
    STARTED = "started"
    """This worker holds the object now."""
    ALREADY_DONE = "already done"
    """This version was published (or dead-lettered) already: a duplicate delivery, acknowledged."""
    STALE = "stale"
    """The ledger moved on to a newer version: this message is obsolete, acknowledged."""
    BUSY = "busy"
    """Another worker holds a live lease: a duplicate, acknowledged (the holder's own message, or the planner's
    sweep, covers a holder that dies)."""
    BUSY_WITH_THIS_MESSAGE = "busy with this message"
    """The live holder works on this very message, delivered again before it finished (a visibility timeout
    shorter than the work): it must come back, since it is the holder's retry should the holder fail."""


@dataclass(frozen=True)
class Outcome:
    """What a worker writes when it finished an object."""

    status: str
    published: int
    rejected: int
    failed: int
    report_uri: str | None
    dead_letter_uri: str | None
    reason: str | None = None
    """Why the object itself was rejected (no format fits it), when it was."""


@dataclass(frozen=True)
class LedgerEntry:
    object_uri: str
    version: str
    status: str
    attempts: int
    run_id: str
    published: int = 0
    rejected: int = 0
    failed: int = 0
    reason: str | None = None
    report_uri: str | None = None
    dead_letter_uri: str | None = None
    enqueued_at: str | None = None
    updated_at: str | None = None
    holder: str | None = None
    lease_until: float | None = None
    message_id: str | None = None
    receive_count: int = 0
    """The holder's message's receive count when it started (0: not started since the change that records it)."""
    sent_at: str | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> LedgerEntry:
        def text(name: str) -> str | None:
            value = item.get(name)
            return value["S"] if value and "S" in value else None

        def number(name: str) -> int:
            value = item.get(name)
            return int(value["N"]) if value and "N" in value else 0

        lease = item.get(LEDGER.lease_until)

        return cls(
            object_uri=text(LEDGER.key) or "",
            version=text(LEDGER.version) or "",
            status=text(LEDGER.status) or "",
            attempts=number(LEDGER.attempts),
            run_id=text(LEDGER.run_id) or "",
            published=number(LEDGER.published),
            rejected=number(LEDGER.rejected),
            failed=number(LEDGER.failed),
            reason=text(LEDGER.reason),
            report_uri=text(LEDGER.report_uri),
            dead_letter_uri=text(LEDGER.dead_letter_uri),
            enqueued_at=text(LEDGER.enqueued_at),
            updated_at=text(LEDGER.updated_at),
            holder=text(LEDGER.holder),
            lease_until=float(lease["N"]) if lease and "N" in lease else None,
            message_id=text(LEDGER.message_id),
            receive_count=number(LEDGER.receive_count),
            sent_at=text(LEDGER.sent_at),
        )

    def work_item(self, run_id: str) -> WorkItem:
        return WorkItem(
            object_uri=self.object_uri, version=self.version, run_id=run_id, size=version_size(self.version)
        )


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: float) -> dict[str, str]:
    return {"N": str(value)}


def ledger_timestamp(seconds: float) -> str:
    """How the ledger writes a moment: ISO 8601 in UTC, so that text order is time order."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _condition_failed(exc: ClientError) -> bool:
    return bool(exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


class Ledger:
    """The ledger table through an injected DynamoDB client."""

    def __init__(self, client: Any, table: str, *, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table
        self._clock = clock

    def versions(self, uris: Iterable[str]) -> dict[str, str]:
        """The recorded version of each known object, read in batches; unknown objects are absent, and so are
        SKIPPED ones (the version was gone when a worker came for it: if it is listed again, it is back)."""
        wanted = list(dict.fromkeys(uris))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            keys: list[dict[str, Any]] = [{LEDGER.key: _s(uri)} for uri in wanted[start : start + BATCH_GET_LIMIT]]
            request: dict[str, Any] = {
                self._table: {
                    "Keys": keys,
                    "ProjectionExpression": "#key, #version, #status",
                    "ExpressionAttributeNames": _names("#key #version #status"),
                    "ConsistentRead": True,
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    if item.get(LEDGER.status, {}).get("S") != ObjectStatus.SKIPPED:
                        found[item[LEDGER.key]["S"]] = item.get(LEDGER.version, {}).get("S", "")
                # Throttled keys come back unprocessed, not as an error: ask again for exactly those.
                request = response.get("UnprocessedKeys") or {}
        return found

    def claim(self, item: WorkItem) -> tuple[bool, dict[str, Any] | None]:
        """Claim `item`'s version for its run: (claimed, the item it replaced). Not claimed when the ledger already
        holds this version, whatever its status (a failed one is retried with `job retry`, not by a planner), but
        SKIPPED: a version a worker found gone and that is listed again is back at the source."""
        now = self._clock()
        try:
            response = self._client.put_item(
                TableName=self._table,
                Item={
                    LEDGER.key: _s(item.object_uri),
                    LEDGER.version: _s(item.version),
                    LEDGER.status: _s(ObjectStatus.QUEUED),
                    LEDGER.attempts: _n(0),
                    LEDGER.run_id: _s(item.run_id),
                    LEDGER.enqueued_at: _s(ledger_timestamp(now)),
                    LEDGER.updated_at: _s(ledger_timestamp(now)),
                },
                ConditionExpression="attribute_not_exists(#key) OR #version <> :version OR #status = :skipped",
                ExpressionAttributeNames=_names("#key #version #status"),
                ExpressionAttributeValues={":version": _s(item.version), ":skipped": _s(ObjectStatus.SKIPPED)},
                ReturnValues="ALL_OLD",
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False, None
            raise
        return True, response.get("Attributes") or None

    def mark_sent(self, items: Iterable[WorkItem]) -> None:
        """Note that SQS took these claims' messages: a claim without the note, once its planner has surely ended,
        is one whose message was never sent (the sweep sends it). Skipped for an item claimed again since."""
        for item in items:
            self._update(
                item.object_uri,
                "SET #sent = :now_text",
                "#version = :version AND #run = :run",
                {
                    ":now_text": _s(ledger_timestamp(self._clock())),
                    ":version": _s(item.version),
                    ":run": _s(item.run_id),
                },
            )

    def release(self, item: WorkItem, previous: dict[str, Any] | None) -> None:
        """Undo a claim whose message could not be sent, so the next planner run claims the object again. Only
        while the claim is still this run's and untouched (QUEUED): anything later is someone else's to keep."""
        condition = {
            "ConditionExpression": "#run = :run AND #version = :version AND #status = :queued",
            "ExpressionAttributeNames": _names("#run #version #status"),
            "ExpressionAttributeValues": {
                ":run": _s(item.run_id),
                ":version": _s(item.version),
                ":queued": _s(ObjectStatus.QUEUED),
            },
        }
        try:
            if previous is None:
                self._client.delete_item(TableName=self._table, Key={LEDGER.key: _s(item.object_uri)}, **condition)
            else:
                self._client.put_item(TableName=self._table, Item=previous, **condition)
        except ClientError as exc:
            if not _condition_failed(exc):
                raise

    def start(
        self, item: WorkItem, holder: str, lease_seconds: float, *, receive_count: int = 1, message_id: str = ""
    ) -> StartOutcome:
        """Take the object for one attempt: from QUEUED, FAILED (the message's next receive) or DEAD_LETTERED (a
        redrive of the DLQ back to the queue is a retry), or from IN_FLIGHT whose lease ran out (its worker was
        killed or timed out). `receive_count` is the message's, kept so the sweep can tell a dead holder whose
        message will come back from one whose message went to the DLQ; `message_id` is the message's."""
        now = self._clock()
        update = (
            "SET #status = :in_flight, #attempts = if_not_exists(#attempts, :zero) + :one, "
            "#holder = :holder, #lease = :lease, #updated = :now_text, #run = :run, #receives = :receives, "
            "#message = :message"
        )
        condition = (
            "#version = :version AND (#status IN (:queued, :failed, :dead) OR (#status = :in_flight AND #lease < :now))"
        )
        values = {
            ":in_flight": _s(ObjectStatus.IN_FLIGHT),
            ":queued": _s(ObjectStatus.QUEUED),
            ":failed": _s(ObjectStatus.FAILED),
            ":dead": _s(ObjectStatus.DEAD_LETTERED),
            ":zero": _n(0),
            ":one": _n(1),
            ":holder": _s(holder),
            ":lease": _n(round(now + lease_seconds, 3)),
            ":now": _n(round(now, 3)),
            ":now_text": _s(ledger_timestamp(now)),
            ":version": _s(item.version),
            ":run": _s(item.run_id),
            ":receives": _n(receive_count),
            ":message": _s(message_id),
        }
        if self._update(item.object_uri, update, condition, values):
            return StartOutcome.STARTED
        return self._why_not_started(item, message_id)

    def _update(self, uri: str, update: str, condition: str, values: dict[str, Any]) -> bool:
        """One conditional UpdateItem; False when the condition did not hold (someone else changed the item)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={LEDGER.key: _s(uri)},
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=_names(update, condition),
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if _condition_failed(exc):
                return False
            raise
        return True

    def _why_not_started(self, item: WorkItem, message_id: str) -> StartOutcome:
        entry = self.get(item.object_uri)
        if entry is None or entry.version != item.version:
            return StartOutcome.STALE
        if entry.status == ObjectStatus.IN_FLIGHT:
            same = bool(message_id) and entry.message_id == message_id
            return StartOutcome.BUSY_WITH_THIS_MESSAGE if same else StartOutcome.BUSY
        return StartOutcome.ALREADY_DONE

    def finish(self, item: WorkItem, holder: str, outcome: Outcome) -> bool:
        """Write the outcome if this worker still holds the object (False: it lost the lease to another)."""
        values: dict[str, Any] = {
            ":status": _s(outcome.status),
            ":published": _n(outcome.published),
            ":rejected": _n(outcome.rejected),
            ":failed": _n(outcome.failed),
        }
        sets = ["#status = :status", "#published = :published", "#rejected = :rejected", "#failed = :failed"]
        removes = ["#holder", "#lease", "#message"]
        named = (("report", outcome.report_uri), ("dead_letter", outcome.dead_letter_uri), ("reason", outcome.reason))
        for name, value in named:
            if value is None:
                removes.append(f"#{name}")
            else:
                values[f":{name}"] = _s(value)
                sets.append(f"#{name} = :{name}")
        return self._settle(item, holder, sets, removes, values)

    def fail(self, item: WorkItem, holder: str, reason: str, *, dead_lettered: bool) -> bool:
        status = ObjectStatus.DEAD_LETTERED if dead_lettered else ObjectStatus.FAILED
        values = {":status": _s(status), ":reason": _s(reason)}
        return self._settle(
            item, holder, ["#status = :status", "#reason = :reason"], ["#holder", "#lease", "#message"], values
        )

    def _settle(self, item: WorkItem, holder: str, sets: list[str], removes: list[str], values: dict[str, Any]) -> bool:
        now = self._clock()
        update = f"SET {', '.join(sets)}, #updated = :now_text REMOVE {', '.join(removes)}"
        condition = "#holder = :holder AND #version = :version"
        stamps = {":holder": _s(holder), ":version": _s(item.version), ":now_text": _s(ledger_timestamp(now))}
        return self._update(item.object_uri, update, condition, {**values, **stamps})

    def requeue(self, entry: LedgerEntry, run_id: str) -> bool:
        """Put an object back to QUEUED for `run_id` (`job retry`, the planner's sweep), unless something else
        changed it since `entry` was read: an IN_FLIGHT one only while the same holder's lease is still expired,
        an unsent claim only while it is still unsent. The caller sends the message, then `mark_sent`."""
        now = self._clock()
        update = (
            "SET #status = :queued, #run = :run, #enqueued = :now_text, #updated = :now_text "
            "REMOVE #holder, #lease, #message, #sent"
        )
        condition = "#version = :version AND #status = :was"
        values: dict[str, Any] = {
            ":queued": _s(ObjectStatus.QUEUED),
            ":run": _s(run_id),
            ":now_text": _s(ledger_timestamp(now)),
            ":version": _s(entry.version),
            ":was": _s(entry.status),
        }
        if entry.status == ObjectStatus.IN_FLIGHT:
            condition += " AND #holder = :holder AND #lease < :now"
            values.update({":holder": _s(entry.holder or ""), ":now": _n(round(now, 3))})
        if entry.sent_at is None:
            condition += " AND attribute_not_exists(#sent)"
        return self._update(entry.object_uri, update, condition, values)

    def abandon(self, entry: LedgerEntry, reason: str) -> bool:
        """Record an IN_FLIGHT object whose holder died with no receive left as DEAD_LETTERED (its message is in
        the DLQ), while the same holder's lease is still expired; False when it moved on meanwhile."""
        now = self._clock()
        update = "SET #status = :dead, #reason = :reason, #updated = :now_text REMOVE #holder, #lease, #message"
        condition = "#version = :version AND #status = :in_flight AND #holder = :holder AND #lease < :now"
        values = {
            ":dead": _s(ObjectStatus.DEAD_LETTERED),
            ":reason": _s(reason),
            ":now_text": _s(ledger_timestamp(now)),
            ":version": _s(entry.version),
            ":in_flight": _s(ObjectStatus.IN_FLIGHT),
            ":holder": _s(entry.holder or ""),
            ":now": _n(round(now, 3)),
        }
        return self._update(entry.object_uri, update, condition, values)

    def get(self, uri: str) -> LedgerEntry | None:
        response = self._client.get_item(TableName=self._table, Key={LEDGER.key: _s(uri)}, ConsistentRead=True)
        item = response.get("Item")
        return LedgerEntry.from_item(item) if item else None

    def entries(self) -> Iterator[LedgerEntry]:
        """Every item (a Scan: the ledger holds one item per source object, and `job status` reads them all)."""
        yield from self._scan()

    def unsettled(self) -> Iterator[LedgerEntry]:
        """The QUEUED and IN_FLIGHT items, for the planner's sweep (a Scan with a filter: DynamoDB still reads, and
        charges for, every item: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html)."""
        statuses = {":queued": _s(ObjectStatus.QUEUED), ":in_flight": _s(ObjectStatus.IN_FLIGHT)}
        yield from self._scan(
            FilterExpression="#status IN (:queued, :in_flight)",
            ExpressionAttributeNames=_names("#status"),
            ExpressionAttributeValues=statuses,
        )

    def _scan(self, **params: Any) -> Iterator[LedgerEntry]:
        paginator = self._client.get_paginator("scan")
        for page in paginator.paginate(TableName=self._table, ConsistentRead=True, **params):
            for item in page.get("Items", []):
                yield LedgerEntry.from_item(item)
