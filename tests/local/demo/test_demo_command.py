"""The demo command's own behaviour, without starting the emulator: flags, usage errors, the output folder."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest import cli
from ingest.local.demo import default_out_dir


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("records", ["0", "-3", "many"])
def test_records_must_be_a_positive_whole_number(records, capsys):
    assert cli.main(["demo", "--records", records]) == 2
    assert "--records" in _one_line(capsys.readouterr().err)


def test_an_out_folder_that_cannot_be_created_is_a_usage_error(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    assert cli.main(["demo", "--out", str(blocker / "demo")]) == 2

    assert _one_line(capsys.readouterr().err).startswith(f"ingest demo: cannot create {blocker / 'demo'}")


def test_flags_parse():
    args = cli.build_parser().parse_args(["demo", "--records", "5000", "--no-aggregate", "--out", "x"])
    assert (args.records, args.aggregate, str(args.out)) == (5000, False, "x")
    defaults = cli.build_parser().parse_args(["demo"])
    assert (defaults.records, defaults.aggregate, defaults.out) == (None, True, None)


def test_default_out_dir_is_new_and_timestamped(tmp_path):
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = default_out_dir(tmp_path, moment)
    assert first == tmp_path / "demo-20260102T030405Z"
    first.mkdir()
    second = default_out_dir(tmp_path, moment)
    assert second == tmp_path / "demo-20260102T030405Z-2"


def test_help_describes_the_stand_in(capsys):
    assert cli.main(["demo", "--help"]) == 0
    assert "stand-in for Firehose" in capsys.readouterr().out.replace("\n", " ").replace("  ", " ")
