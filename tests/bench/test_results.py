"""results.json has the shape the issue asks for; a tiny run of `python -m bench` writes it."""

import json

import pytest

from bench.cli import main
from bench.comparison import FIGURES
from bench.producers import PRODUCER_NAMES

SECTIONS = {"shard_limits", "in_flight", "client_cost", "delivery_cost"}


def check_shape(document: dict, records: int, producers: tuple[str, ...]) -> None:
    assert document["records"] == records
    assert list(document["producers"]) == list(producers)
    for figures in document["producers"].values():
        assert list(figures) == list(FIGURES)
        assert all(isinstance(value, int | float) for value in figures.values())
    assert set(document["ratios_to_default"]) == set(producers)


@pytest.mark.e2e
def test_a_tiny_full_run_writes_every_section(tmp_path, capsys):
    results = tmp_path / "results.json"

    status = main(
        [
            "--records=300",
            "--naive-records=30",
            "--records-per-shard=5",
            "--big-file-gb=0.0002",
            f"--results={results}",
            "--no-chart",
        ]
    )

    assert status == 0
    document = json.loads(results.read_text())
    check_shape(document, 300, PRODUCER_NAMES)
    assert set(document) >= SECTIONS
    assert document["producer_details"]["naive"]["scaled"] is True
    assert document["producers"]["naive"]["api_calls"] == 300  # 30 calls measured, scaled x10
    assert all(details["failed_records"] == 0 for details in document["producer_details"].values())
    assert {(run["producer"], run["shards"]) for run in document["shard_limits"]} == {
        (producer, shards) for producer in ("batched", "ingest-previous", "ingest") for shards in (1, 2, 4, 16, 64)
    }
    assert [run["records"] for run in document["shard_limits"] if run["producer"] == "ingest"] == [300] * 4 + [320]
    assert [run["max_in_flight"] for run in document["in_flight"]] == [1, 2, 4]
    assert document["client_cost"]["big_file"]["records_published"] > 0
    assert {cost["stack"] for cost in document["delivery_cost"]} == {"dev", "prod"}
    assert "| ingest (default) |" in capsys.readouterr().out


def test_only_selects_producers_and_sections(tmp_path):
    results = tmp_path / "results.json"

    assert main(["--records=50", "--only=delivery-cost", f"--results={results}"]) == 0

    document = json.loads(results.read_text())
    check_shape(document, 50, ())
    assert set(document) & SECTIONS == {"delivery_cost"}


def test_unknown_names_are_a_usage_error(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["--only=fastest"])
    assert raised.value.code == 2
    assert "unknown fastest" in capsys.readouterr().err


def test_a_chart_without_matplotlib_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("bench.cli.importlib.util.find_spec", lambda name: None)

    assert main(["--only=shard-limits", f"--results={tmp_path / 'results.json'}"]) == 2

    assert "matplotlib" in capsys.readouterr().err
    assert not (tmp_path / "results.json").exists()
