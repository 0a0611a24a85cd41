"""The paragraph a finished run prints, and the one-line reason when it did not fully succeed."""

from __future__ import annotations

from pathlib import Path

from ingest.run.report import RunReport


def summarize(report: RunReport, *, report_path: Path | None) -> str:
    """Everything an operator checks after a run, in one paragraph."""
    partition = f" (partition {report.partition})" if report.partition else ""
    aggregation = "aggregated" if report.aggregate else "not aggregated"
    sentences = [
        f"Run {report.run_id}{partition}: published {report.records_published} of {report.records_read} "
        f"records read from {report.objects_read} objects of {report.source} to stream {report.stream} "
        f"({report.records_rejected} rejected, {report.records_failed} failed).",
        f"Objects: {report.objects_listed} listed, {report.objects_unchanged} unchanged since the "
        f"checkpoint, {report.objects_outside_partition} in other partitions, {report.objects_rejected} "
        f"rejected, {report.objects_failed} failed.",
        f"Kinesis: {report.put_calls} PutRecords calls, {report.kinesis_records} Kinesis records "
        f"({aggregation}), {report.bytes_published} bytes, {report.retries} retries.",
        f"Report: {report_path or 'not written (no --report)'}.",
        f"Dead letters: {report.dead_letter or 'none written'}.",
    ]
    if report.aborted:
        sentences.append(f"The run was aborted: {report.aborted}.")
    return " ".join(sentences)


def failure_reason(report: RunReport) -> str | None:
    """Why the run's exit status is not 0, or None when every valid record was published."""
    if report.aborted:
        return f"run aborted: {report.aborted}"
    where = f"; see {report.dead_letter}" if report.dead_letter else ""
    if report.records_failed:
        return f"{report.records_failed} records failed to publish{where}"
    if report.objects_failed:
        return f"{report.objects_failed} objects could not be read; the next run retries them{where}"
    return None
