import io
import logging

from ingest.run.progress import BarProgress, LogProgress, SilentProgress, progress_display
from ingest.run.report import ObjectOutcome, ObjectReport


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _entry(status: ObjectOutcome, reason: str | None = None) -> ObjectReport:
    return ObjectReport(
        uri="mem://bucket/a.json", run_id="r", status=status, reason=reason, records_read=3, published=3
    )


def test_quiet_shows_nothing():
    stream = _Terminal()
    with progress_display(quiet=True, stream=stream) as progress:
        assert isinstance(progress, SilentProgress)
        progress.object_finished(_entry(ObjectOutcome.PUBLISHED))
    assert stream.getvalue() == ""


def test_a_terminal_gets_bars():
    stream = _Terminal()
    with progress_display(quiet=False, stream=stream) as progress:
        assert isinstance(progress, BarProgress)
        progress.records_acknowledged(5)
        progress.object_finished(_entry(ObjectOutcome.PUBLISHED))
    assert "records" in stream.getvalue()


def test_anything_else_gets_one_log_line_per_object(caplog):
    caplog.set_level(logging.INFO, logger="ingest")
    with progress_display(quiet=False, stream=io.StringIO()) as progress:
        assert isinstance(progress, LogProgress)
        progress.object_finished(_entry(ObjectOutcome.PUBLISHED))
        progress.object_finished(_entry(ObjectOutcome.REJECTED, "not UTF-8"))
        progress.object_skipped("mem://bucket/b.json", "unchanged since run r0")
    (published, rejected, skipped) = caplog.records
    assert (
        published.levelno == logging.INFO and "published mem://bucket/a.json: 3 read, 3 published" in published.message
    )
    assert rejected.levelno == logging.WARNING and rejected.message.endswith("(not UTF-8)")
    assert "skipped mem://bucket/b.json" in skipped.message


def test_log_progress_beats_during_long_objects(caplog):
    caplog.set_level(logging.INFO, logger="ingest")
    progress = LogProgress(interval=0.0)
    progress.records_acknowledged(100)
    assert "100 records acknowledged" in caplog.records[-1].message
