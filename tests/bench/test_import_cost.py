"""bench/import_cost.py: it times what it says and names the heavy modules a probe loaded (figures, not limits)."""

from __future__ import annotations

from bench.import_cost import PROBES, Probe, heavy_modules_loaded, import_cost_text, measure


def test_the_heavy_modules_of_a_probe_are_the_ones_it_imported():
    assert heavy_modules_loaded("import tqdm\n") == ("tqdm",)
    assert heavy_modules_loaded("") == ()


def test_each_probe_gives_a_median_and_a_line():
    probe = Probe("python -c 'import tqdm'", ("-c", "import tqdm"), "import tqdm\n")
    [cost] = measure(runs=2, probes=[probe])
    assert cost.runs == 2 and 0 < cost.min_s <= cost.median_s
    assert cost.heavy_modules == ("tqdm",)
    line = import_cost_text([cost])
    assert line.startswith("- `python -c 'import tqdm'`: median ") and line.endswith("heavy modules loaded: tqdm")
    assert cost.to_dict()["heavy_modules"] == ["tqdm"]


def test_the_probes_cover_the_usage_and_the_run_package():
    assert [probe.label for probe in PROBES] == [
        "python -c pass",
        "python -m ingest --help",
        'python -c "import ingest.run"',
    ]
