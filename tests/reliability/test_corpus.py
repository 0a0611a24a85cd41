"""The bad-input corpus through the real `publish` against moto: every case's outcome as its manifest says."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reliability.corpus import (
    CORPUS_DIR,
    MANIFEST,
    CorpusRun,
    check_case,
    load_cases,
    publish_corpus,
    whole_run_problems,
)
from reliability.generated import GENERATORS

CASES = load_cases()
COMMITTED_FILE_LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    """Every case in one directory, published by one run (as a user's mixed folder would be)."""
    return publish_corpus(CASES, tmp_path_factory.mktemp("corpus"))


def test_the_manifest_covers_at_least_30_cases_and_every_committed_file():
    assert len(CASES) >= 30
    committed = {path.name for path in CORPUS_DIR.iterdir()} - {MANIFEST.name}
    assert committed == {case.file for case in CASES if case.generate is None}
    assert {case.generate for case in CASES if case.generate} <= set(GENERATORS)
    assert len({case.file for case in CASES}) == len(CASES)
    assert all(case.read == case.published + case.rejected for case in CASES)


def test_committed_corpus_files_stay_small():
    """Bombs and oversized records are generated at run time; what is committed stays reviewable."""
    assert all((CORPUS_DIR / case.file).stat().st_size < COMMITTED_FILE_LIMIT for case in CASES if not case.generate)


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_each_case_has_its_outcome_reason_and_nothing_lost(corpus_run, case):
    outcome = check_case(case, corpus_run)

    assert outcome.problems == []
    assert outcome.counts is not None and outcome.counts.lost == 0


def test_the_run_exits_0_with_one_entry_per_case_and_balanced_counts(corpus_run):
    assert whole_run_problems(CASES, corpus_run) == []


def test_every_dead_letter_line_names_the_file_and_where_in_it(corpus_run):
    assert corpus_run.dead_letters
    for line in corpus_run.dead_letters:
        assert line["uri"].startswith(corpus_run.source.as_uri() + "/")
        assert line["position"] and line["reason"]
        assert (line["index"] is None) == (line["stage"] == "object")


def test_a_case_whose_expectation_is_wrong_is_reported(corpus_run):
    case = next(case for case in CASES if case.file == "json-duplicate-keys.json")
    wrong_reason = dataclasses.replace(
        case, dead_letters=(dataclasses.replace(case.dead_letters[0], reason="not what happened"),)
    )
    wrong_counts = dataclasses.replace(case, published=case.published + 1)

    assert check_case(wrong_reason, corpus_run).problems
    assert check_case(wrong_counts, corpus_run).problems
    assert check_case(dataclasses.replace(case, file="absent.json"), corpus_run).problems == ["no report entry"]


def test_generated_files_are_written_where_asked(tmp_path: Path):
    GENERATORS["gzip_bomb"](tmp_path / "bomb.json.gz")
    assert 0 < (tmp_path / "bomb.json.gz").stat().st_size < 1024 * 1024
