from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ingest.run.checkpoint import Checkpoint
from ingest.run.dead_letter import DeadLetterWriter
from ingest.run.pipeline import RunSettings, run_pipeline
from ingest.run.report import RunReport, load_report
from ingest.run.stop import StopRequest
from tests.run.fakes import FakePublisher, MemorySource

DEFAULT_SETTINGS = RunSettings()


@dataclass
class RunResult:
    report: RunReport
    """As read back from the report file the run wrote."""
    dead_letters: list[dict[str, Any]]
    """This run's lines of the dead-letter file."""
    error: BaseException | None
    report_path: Path


def assert_balanced(report: RunReport) -> None:
    """The accounting every report must satisfy, object by object and in total."""
    assert report.records_read == report.records_published + report.records_rejected + report.records_failed
    for entry in report.objects:
        assert entry.records_read == entry.published + entry.rejected + entry.failed, entry
        if entry.run_id == report.run_id:
            assert len(entry.published_indices) == entry.published, entry


@pytest.fixture
def publish(tmp_path: Path) -> Callable[..., RunResult]:
    """Run the real pipeline against fakes; every call is a new run (run ids run0, run1, ...)."""
    runs = itertools.count()

    def run(
        source: MemorySource,
        publisher: FakePublisher | None = None,
        *,
        settings: RunSettings = DEFAULT_SETTINGS,
        checkpoint: Path | None = None,
        stop: StopRequest | None = None,
    ) -> RunResult:
        number = next(runs)
        report = RunReport(
            run_id=f"run{number}", source=source.uri, stream="test-stream", aggregate=False, format=settings.format_name
        )
        report_path = tmp_path / f"report-{number}.json"
        dead_letter_path = tmp_path / "dead-letter.jsonl"
        error: BaseException | None = None
        with DeadLetterWriter(dead_letter_path, report.run_id) as dead_letter:
            try:
                run_pipeline(
                    source,
                    publisher or FakePublisher(),
                    report,
                    dead_letter=dead_letter,
                    settings=settings,
                    checkpoint=Checkpoint.load(checkpoint) if checkpoint else None,
                    report_path=report_path,
                    stop=stop,
                )
            except Exception as exc:  # the tests look at what the run re-raised
                error = exc
        written = load_report(report_path)
        assert written.to_dict() == report.to_dict()
        assert_balanced(written)
        lines = [json.loads(line) for line in dead_letter_path.read_text().splitlines()]
        return RunResult(written, [line for line in lines if line["run_id"] == report.run_id], error, report_path)

    return run
