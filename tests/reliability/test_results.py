"""The docs/reliability.md table: one row per check, a failing check shows why, totals per kind."""

from __future__ import annotations

import json

from reliability.results import Counts, Outcome, markdown_table, write_results


def test_rows_totals_and_failures():
    outcomes = [
        Outcome("input", "a.json", "a | b", "published", Counts(3, 3, 0, 0, 0)),
        Outcome("input", "b.json", "bad", "rejected", Counts(2, 1, 1, 0, 0)),
        Outcome("fault", "reset", "cut", "exit 1", Counts(5, 4, 0, 0, 1), ["1 record lost"]),
        Outcome("security", "timeouts", "every client", "all set"),
    ]

    lines = markdown_table(outcomes).splitlines()

    assert lines[2] == "| input | `a.json`: a \\| b | published | 3 | 3 | 0 | 0 | 0 | pass |"
    assert lines[4].endswith("| 5 | 4 | 0 | 0 | 1 | **FAIL**: 1 record lost |")
    assert lines[5] == "| security | `timeouts`: every client | all set |  |  |  |  |  | pass |"
    assert lines[6] == "| **input** | **2 checks** | **2 passed** | 5 | 4 | 1 | 0 | 0 |  |"
    assert lines[7] == "| **fault** | **1 check** | **0 passed** | 5 | 4 | 0 | 0 | 1 |  |"
    assert lines[8] == "| **security** | **1 check** | **1 passed** |  |  |  |  |  |  |"


def test_the_json_says_whether_everything_passed(tmp_path):
    path = tmp_path / "results.json"
    write_results([Outcome("fault", "x", "y", "z", problems=["broken"])], path, context={"command": "c"})
    document = json.loads(path.read_text())
    assert (document["command"], document["passed"], document["outcomes"][0]["passed"]) == ("c", False, False)
