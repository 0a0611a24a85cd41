"""Asking a run to wind down, from a signal handler or from any other caller (a Lambda nearing its deadline)."""

from __future__ import annotations


class StopRequest:
    """Asks a run to wind down: read no further, let the publisher settle what it holds, end as aborted.

    Set from a signal handler, where raising instead would strand records between publisher and report.
    """

    def __init__(self) -> None:
        self.reason: str | None = None

    @property
    def requested(self) -> bool:
        return self.reason is not None

    def set(self, reason: str) -> None:
        self.reason = reason
