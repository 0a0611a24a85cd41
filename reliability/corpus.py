"""The bad-input corpus (`tests/corpus/`): every case published by the real `publish`, then checked.

All cases go into one directory and through one `publish` run against an in-process moto Kinesis, as a
user's mixed folder would. The stream is then read back, so "published" means found in the stream, and
"lost" is measured: a record the report counts as read that is neither in the stream nor in the dead-letter
file. The manifest (`tests/corpus/manifest.json`) says what each object must produce.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from ingest.run.publish import PublishOptions, publish
from ingest.run.report import ObjectReport, RunReport
from reliability import REPOSITORY
from reliability.aws import REGION, aws_environment, isolated_variables
from reliability.generated import GENERATORS
from reliability.kinesis import read_stream
from reliability.results import Counts, Outcome

CORPUS_DIR = REPOSITORY / "tests" / "corpus"
MANIFEST = CORPUS_DIR / "manifest.json"
STREAM = "corpus"
_REASON_CHARS = 90


@dataclass(frozen=True)
class ExpectedDeadLetter:
    stage: str
    position: str
    reason: str
    """A substring of the line's reason."""
    field: str | None = None


@dataclass(frozen=True)
class Case:
    file: str
    about: str
    status: str
    read: int
    published: int
    rejected: int
    dead_letters: tuple[ExpectedDeadLetter, ...]
    generate: str | None = None
    """The generator (reliability.generated) that writes the file at run time; None: committed in the corpus."""


def load_cases(manifest: Path = MANIFEST) -> list[Case]:
    document = json.loads(manifest.read_text(encoding="utf-8"))
    return [
        Case(
            file=item["file"],
            about=item["about"],
            status=item["object"],
            read=item["read"],
            published=item["published"],
            rejected=item["rejected"],
            dead_letters=tuple(ExpectedDeadLetter(**line) for line in item["dead_letters"]),
            generate=item.get("generate"),
        )
        for item in document["cases"]
    ]


def materialize(cases: Sequence[Case], directory: Path) -> None:
    """Every case's object in `directory`: committed files copied, the others generated."""
    directory.mkdir(parents=True, exist_ok=True)
    for case in cases:
        target = directory / case.file
        if case.generate is not None:
            GENERATORS[case.generate](target)
        else:
            shutil.copyfile(CORPUS_DIR / case.file, target)


@dataclass(frozen=True)
class CorpusRun:
    status: int
    report: RunReport
    dead_letters: list[dict[str, Any]]
    delivered: Counter[tuple[str, int]]
    """Copies of each (source URI, index) of this run found in the stream."""
    source: Path


def publish_corpus(cases: Sequence[Case], workdir: Path) -> CorpusRun:
    """Publish every case from one directory with `publish`, then read the stream back."""
    source = workdir.resolve() / "objects"
    materialize(cases, source)
    dead_letter = workdir / "dead-letter.jsonl"
    with aws_environment(isolated_variables()), mock_aws():
        kinesis = boto3.client("kinesis", region_name=REGION)
        kinesis.create_stream(StreamName=STREAM, ShardCount=1)
        result = publish(
            PublishOptions(
                stream=STREAM,
                source=str(source),
                region=REGION,
                report=workdir / "report.json",
                dead_letter=dead_letter,
            )
        )
        if result.report is None:
            raise RuntimeError(f"publish could not start (exit {result.status})")
        run_id = result.report.run_id
        delivered = Counter((item.source, item.index) for item in read_stream(kinesis, STREAM) if item.run_id == run_id)
    lines = [json.loads(line) for line in dead_letter.read_text(encoding="utf-8").splitlines()]
    return CorpusRun(result.status, result.report, lines, delivered, source)


def check_case(case: Case, run: CorpusRun) -> Outcome:
    """Compare one object's report entry, stream content and dead-letter lines with the manifest."""
    # Complexity 16: a flat list of the object's invariants (in the report, indices as reported, no duplicate
    # copies, nothing both published and dead-lettered, nothing lost), each adding its own problem.
    uri = (run.source / case.file).as_uri()
    entry = next((item for item in run.report.objects if item.uri == uri), None)
    if entry is None:
        return Outcome("input", case.file, case.about, "not in the run report", problems=["no report entry"])
    lines = [line for line in run.dead_letters if line["uri"] == uri]
    problems = _count_problems(case, entry)
    problems += _dead_letter_problems(case, lines, run.report.run_id)
    in_stream = {index for (source, index), _ in run.delivered.items() if source == uri}
    copies = sum(count for (source, _), count in run.delivered.items() if source == uri)
    if in_stream != set(entry.published_indices):
        problems.append(f"stream holds indices {sorted(in_stream)[:10]}, report says {entry.published_indices}")
    if copies != len(in_stream):
        problems.append(f"{copies - len(in_stream)} duplicate copies in the stream")
    dead_lettered = {line["index"] for line in lines if line["stage"] != "object"}
    if in_stream & dead_lettered:
        problems.append(f"both published and dead-lettered: {sorted(in_stream & dead_lettered)}")
    lost = len(set(range(entry.records_read)) - in_stream - dead_lettered)
    if lost:
        problems.append(f"{lost} records read but neither published nor dead-lettered")
    counts = Counts(entry.records_read, len(in_stream), entry.rejected, entry.failed, lost)
    return Outcome("input", case.file, case.about, _observed(entry, lines), counts, problems)


def _count_problems(case: Case, entry: ObjectReport) -> list[str]:
    problems = []
    expected = (case.status, case.read, case.published, case.rejected, 0)
    actual = (str(entry.status), entry.records_read, entry.published, entry.rejected, entry.failed)
    if actual != expected:
        problems.append(f"status/read/published/rejected/failed {actual}, expected {expected}")
    if entry.records_read != entry.published + entry.rejected + entry.failed:
        problems.append("records_read != published + rejected + failed")
    return problems


def _dead_letter_problems(case: Case, lines: list[dict[str, Any]], run_id: str) -> list[str]:
    if len(lines) != len(case.dead_letters):
        reasons = [line["reason"][:_REASON_CHARS] for line in lines]
        return [f"{len(lines)} dead-letter lines, expected {len(case.dead_letters)}: {reasons}"]
    problems = []
    for line, expected in zip(lines, case.dead_letters, strict=True):
        actual = (line["stage"], line["position"], line["field"])
        if actual != (expected.stage, expected.position, expected.field) or expected.reason not in line["reason"]:
            problems.append(f"dead letter {actual} {line['reason'][:_REASON_CHARS]!r}, expected {expected}")
        if line["run_id"] != run_id:
            problems.append(f"dead letter of run {line['run_id']}, not {run_id}")
    return problems


def _observed(entry: ObjectReport, lines: list[dict[str, Any]]) -> str:
    if not lines:
        return f"{entry.status}, no dead letter"
    shown = [_describe(line) for line in lines[:2]]
    more = f" (+{len(lines) - 2} more)" if len(lines) > 2 else ""
    return f"{entry.status}; " + "; ".join(shown) + more


def _describe(line: dict[str, Any]) -> str:
    reason = line["reason"].split(" (got ", 1)[0]
    reason = reason if len(reason) <= _REASON_CHARS else reason[: _REASON_CHARS - 1] + "…"
    return f"{line['position']} [{line['stage']}]: {reason}"


def whole_run_problems(cases: Sequence[Case], run: CorpusRun) -> list[str]:
    """What must hold of the run as a whole: exit 0 (bad input is rejected, not a failure), one report entry per
    case and none other, and the run's arithmetic."""
    report, problems = run.report, []
    if run.status != 0:
        problems.append(f"publish exited {run.status}")
    listed = sorted(entry.uri for entry in report.objects)
    if listed != sorted((run.source / case.file).as_uri() for case in cases):
        problems.append(f"the report lists {len(listed)} objects for {len(cases)} cases")
    if report.records_read != report.records_published + report.records_rejected + report.records_failed:
        problems.append("the run's records_read != published + rejected + failed")
    return problems


def run_corpus(workdir: Path) -> list[Outcome]:
    """One outcome per case, then one for the run as a whole."""
    cases = load_cases()
    run = publish_corpus(cases, workdir)
    outcomes = [check_case(case, run) for case in cases]
    report = run.report
    observed = (
        f"exit {run.status}; {report.objects_read} objects, {report.objects_rejected} rejected as a whole; "
        f"{len(run.dead_letters)} dead-letter lines"
    )
    tried = f"all {len(cases)} objects in one `publish` run"
    outcomes.append(Outcome("input", "whole corpus", tried, observed, None, whole_run_problems(cases, run)))
    return outcomes
