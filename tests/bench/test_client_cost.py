"""Client cost: each stage handles every record; the probe publishes a file through the run and reads memory."""

from bench.client_cost import STAGES, stage_rates
from bench.dataset import write_json_array
from bench.memory_probe import GROWTH_TOLERANCE, ProbeResult, RssSampler, current_rss, peak_rss, probe


def test_every_stage_handles_every_record():
    rates = stage_rates(300)

    assert [rate.stage for rate in rates] == list(STAGES)
    assert all(rate.records == 300 and rate.cpu_s >= 0 for rate in rates)


def test_the_probe_publishes_a_file_through_the_run(tmp_path):
    path = tmp_path / "source.json"
    count, size = write_json_array(path, 200_000)

    result = probe(path)

    assert (result.records_read, result.records_published, result.records_failed) == (count, count, 0)
    assert result.source_bytes == size
    assert result.kinesis_records >= 1
    assert result.peak_rss_bytes >= result.baseline_rss_bytes > 0


def test_peak_rss_is_this_process_high_water_mark():
    assert peak_rss() >= current_rss() > 0


def test_the_sampler_reads_rss_at_a_fraction_of_the_records():
    sampler = RssSampler(lambda: 0)
    sampler.samples = [(0, 100), (10, 110), (30, 120), (100, 150)]

    assert sampler.rss_at_fraction(0.25) == 120
    assert sampler.rss_at_fraction(0.0) == 100


def probe_result(at_quarter: int, at_end: int) -> ProbeResult:
    return ProbeResult(
        source_bytes=1,
        records_read=4_000_000,
        records_published=4_000_000,
        records_rejected=0,
        records_failed=0,
        kinesis_records=1,
        wall_s=1.0,
        cpu_s=2.0,
        baseline_rss_bytes=1,
        peak_rss_bytes=at_end,
        rss_at_quarter_bytes=at_quarter,
        rss_at_end_bytes=at_end,
    )


def test_memory_is_bounded_when_it_stops_growing_after_warm_up():
    flat = probe_result(100 << 20, (100 << 20) + GROWTH_TOLERANCE)
    growing = probe_result(100 << 20, 400 << 20)

    assert flat.bounded
    assert not growing.bounded
    assert growing.rss_growth_per_million_records == (300 << 20) / 3
    assert growing.records_per_cpu_s == 2_000_000
