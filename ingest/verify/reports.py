"""What `verify` checks: the report of a `publish` run or of a `send`. Both name every record they claim was
published as (run id, source URI, index), the way each record's provenance names it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from ingest.endpoint.report import REPORT_KIND as SEND_REPORT_KIND
from ingest.endpoint.report import SendReport, parse_send_report
from ingest.json_files import read_json
from ingest.run.report import RunReport, parse_report


class PublishedRecords(Protocol):
    """The part of a report that `verify_delivery` reads."""

    @property
    def run_id(self) -> str:
        """Names the run in the result."""
        ...

    @property
    def started_at(self) -> str: ...

    @property
    def finished_at(self) -> str | None: ...

    def own_run_ids(self) -> frozenset[str]:
        """The run ids on the records this run itself wrote: their arrival is its latency. A publish run has one;
        a send has one per accepted request (the endpoint stamps its request id)."""
        ...

    def expected_records(self) -> Iterator[tuple[str, str, int]]: ...


def load_published_records(path: Path) -> RunReport | SendReport:
    """A publish run report, or a send report (told apart by its `kind`); anything else is a configuration error."""
    document = read_json(path, what="report")
    if isinstance(document, dict) and document.get("kind") == SEND_REPORT_KIND:
        return parse_send_report(document, path)
    return parse_report(document, path)
