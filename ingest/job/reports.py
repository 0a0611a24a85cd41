"""Where a cloud run's reports and dead letters live in S3, and merging one run's per-object reports into one.

Each worker writes one report per object (the library's own format), under `<report prefix><run id>/`; `verify`
reads one report per run, so `merge_run_reports` folds them into the document `publish` would have written had
one machine published every object of the run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from ingest.run.report import ObjectReport, RunReport, parse_report

REPORT_SUFFIX = ".report.json"
DEAD_LETTER_SUFFIX = ".dead-letter.jsonl"


def run_folder(report_prefix: str, run_id: str) -> str:
    return f"{report_prefix}{run_id}/"


def object_report_key(report_prefix: str, run_id: str, object_uri: str) -> str:
    """The object's own path below the run's folder: readable, and unique per object."""
    return f"{run_folder(report_prefix, run_id)}{object_uri.removeprefix('s3://')}{REPORT_SUFFIX}"


def object_dead_letter_key(report_prefix: str, run_id: str, object_uri: str) -> str:
    return f"{run_folder(report_prefix, run_id)}{object_uri.removeprefix('s3://')}{DEAD_LETTER_SUFFIX}"


def merge_run_reports(run_id: str, reports: Iterable[RunReport]) -> RunReport:
    """One report for the whole run: every object's entry, the counters summed, the run's first start and last
    finish. An object reported twice (a retried attempt) keeps its latest report's entry."""
    # Complexity 17 is radon counting the report's fields, each summed or picked with a guard; splitting them
    # apart would scatter one record's construction.
    parts = sorted(reports, key=lambda report: report.started_at)
    if not parts:
        raise ValueError(f"run {run_id} has no object reports")
    entries: dict[str, ObjectReport] = {}
    for part in parts:
        for entry in part.objects:
            entries[entry.uri] = entry
    finished = [part.finished_at for part in parts if part.finished_at]
    aborted = [part.aborted for part in parts if part.aborted]
    return RunReport(
        run_id=run_id,
        source=_common_folder([part.source for part in parts]),
        stream=parts[0].stream,
        aggregate=parts[0].aggregate,
        format=parts[0].format,
        started_at=parts[0].started_at,
        finished_at=max(finished) if finished else None,
        aborted=aborted[-1] if aborted else None,
        objects_listed=len(entries),
        put_calls=sum(part.put_calls for part in parts),
        kinesis_records=sum(part.kinesis_records for part in parts),
        bytes_published=sum(part.bytes_published for part in parts),
        retries=sum(part.retries for part in parts),
        throttled=sum(part.throttled for part in parts),
        objects=[entries[uri] for uri in sorted(entries)],
    )


def _common_folder(uris: list[str]) -> str:
    """The run's source: the folder every object it published sits in (each worker's report names one object)."""
    shared = os.path.commonprefix(uris)
    return shared if shared.endswith("/") or len(uris) == 1 else shared.rpartition("/")[0] + "/"


def read_run_reports(s3: Any, bucket: str, report_prefix: str, run_id: str) -> list[RunReport]:
    """Every per-object report of a run, as the workers uploaded them."""
    paginator = s3.get_paginator("list_objects_v2")
    reports = []
    for page in paginator.paginate(Bucket=bucket, Prefix=run_folder(report_prefix, run_id)):
        for item in page.get("Contents", []):
            if item["Key"].endswith(REPORT_SUFFIX):
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                reports.append(parse_report(json.loads(body), f"s3://{bucket}/{item['Key']}"))
    return reports
