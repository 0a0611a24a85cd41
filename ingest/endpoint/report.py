"""`send`'s report: what one send read, what the endpoint accepted, and under which request ids.

The endpoint stamps each record's provenance itself (`_ingest.source` = `apigateway://<api>/<stage>/v1/batch`,
`run_id` = the request id, `index` = the position in the request), so the report lists every accepted request
with the positions it accepted: `verify` expects exactly those (request id, source, index). The send's own id
(`run_id`) names the report; no record carries it. `records_read == records_accepted + records_rejected +
records_failed` holds by construction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import ConfigurationError
from ingest.index_ranges import IndexRanges
from ingest.json_files import read_json, write_json_atomically
from ingest.stamps import utc_now

REPORT_VERSION = 1
REPORT_KIND = "send"
"""The `kind` field that tells a send report from a publish run report (which has none)."""


@dataclass
class AcceptedRequest:
    request_id: str
    """The id the endpoint answered with and stamped on the records as their `run_id`."""
    source: str
    """The provenance source the endpoint stamped (`apigateway://<api>/<stage>/v1/batch`)."""
    indices: IndexRanges = field(default_factory=IndexRanges)
    """Positions in the request that the endpoint accepted."""

    def to_dict(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "source": self.source, "indices": self.indices.to_list()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AcceptedRequest:
        return cls(request_id=data["request_id"], source=data["source"], indices=IndexRanges(data["indices"]))


@dataclass
class SendReport:
    run_id: str
    """This send's id: names the report and the verification; the records carry request ids instead."""
    source: str
    """The input: a file URI, or `stdin:`."""
    endpoint: str
    format: str
    """The `--format` asked for ("auto" or a format name)."""
    input_format: str | None = None
    """The format the input was read with."""
    started_at: str = field(default_factory=utc_now)
    finished_at: str | None = None
    input_error: str | None = None
    """Why the input could not be read to the end; what was read before stands."""
    records_rejected: int = 0
    """Invalid records: reported, never sent."""
    records_failed: int = 0
    """Valid records the endpoint did not take, after the resends."""
    requests: int = 0
    retries: int = 0
    """Records sent again (an entry resent twice counts 2)."""
    accepted: list[AcceptedRequest] = field(default_factory=list)

    @property
    def records_accepted(self) -> int:
        return sum(len(request.indices) for request in self.accepted)

    @property
    def records_read(self) -> int:
        return self.records_accepted + self.records_rejected + self.records_failed

    @property
    def succeeded(self) -> bool:
        """Every valid record accepted and the input read to the end (rejections are reported, not failures)."""
        return self.records_failed == 0 and self.input_error is None

    def own_run_ids(self) -> frozenset[str]:
        """The ids on the records this send wrote: the endpoint's request ids."""
        return frozenset(request.request_id for request in self.accepted)

    def expected_records(self) -> Iterator[tuple[str, str, int]]:
        """Every (request id, source, index) the endpoint accepted: what `verify` must find delivered."""
        for request in self.accepted:
            for index in request.indices:
                yield request.request_id, request.source, index

    def to_dict(self) -> dict[str, Any]:
        return {
            "report_version": REPORT_VERSION,
            "kind": REPORT_KIND,
            "run_id": self.run_id,
            "source": self.source,
            "endpoint": self.endpoint,
            "format": self.format,
            "input_format": self.input_format,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "input_error": self.input_error,
            "records_read": self.records_read,
            "records_accepted": self.records_accepted,
            "records_rejected": self.records_rejected,
            "records_failed": self.records_failed,
            "requests": self.requests,
            "retries": self.retries,
            "accepted": [request.to_dict() for request in self.accepted],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SendReport:
        if data.get("kind") != REPORT_KIND:
            raise ValueError(f"kind is {data.get('kind')!r}, not {REPORT_KIND!r}")
        return cls(
            run_id=data["run_id"],
            source=data["source"],
            endpoint=data["endpoint"],
            format=data["format"],
            input_format=data.get("input_format"),
            started_at=data["started_at"],
            finished_at=data.get("finished_at"),
            input_error=data.get("input_error"),
            records_rejected=data["records_rejected"],
            records_failed=data["records_failed"],
            requests=data["requests"],
            retries=data["retries"],
            accepted=[AcceptedRequest.from_dict(request) for request in data["accepted"]],
        )


def write_send_report(report: SendReport, path: Path) -> None:
    write_json_atomically(path, report.to_dict(), indent=2)


def load_send_report(path: Path) -> SendReport:
    return parse_send_report(read_json(path, what="report"), path)


def parse_send_report(document: Any, path: Path) -> SendReport:
    try:
        return SendReport.from_dict(document)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(f"{path} is not a send report: {exc!r:.200}") from None
