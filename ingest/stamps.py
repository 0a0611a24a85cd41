"""The run id and the UTC time that every report carries: `publish`, `send` and the job's planner each name
their run and its start the same way, so one report reads like another."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def utc_now() -> str:
    """ISO 8601 to the millisecond with a `Z`, the form every report and ledger field compares as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_run_id() -> str:
    """Random rather than time-based, so runs started at the same moment (partitions, workers) never share one."""
    return uuid.uuid4().hex
