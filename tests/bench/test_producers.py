"""The producers and the shard-limit section on the stand-in, in manual time: deterministic and instant."""

import random

import pytest
from aws_kinesis_agg.deaggregator import iter_deaggregate_records
from botocore.exceptions import ClientError

from bench.dataset import encoded_records
from bench.meter import MeteredKinesis
from bench.producers import BATCHED, INGEST, INGEST_NO_AGGREGATE, INGEST_PREVIOUS, NAIVE, make_producer
from bench.shard_limits import records_for, run_at_limits, simulate
from bench.standin import THROTTLED, ShardLimitedKinesis
from ingest.publishing import KinesisPublisher, OutgoingRecord


@pytest.fixture(scope="module")
def records() -> list[bytes]:
    return encoded_records(2500)


def test_batched_resends_throttled_entries_until_all_are_in(records, clock):
    client = MeteredKinesis(ShardLimitedKinesis(1, clock=clock))

    tally = make_producer(BATCHED, sleep=clock.sleep)(client, "bench", records)

    meter = client.meter
    assert (tally.published, tally.failed) == (2500, 0)
    assert meter.kinesis_records == 2500  # every record accepted exactly once
    assert tally.retries == meter.throttled_entries == meter.entries_sent - 2500
    assert set(clock.slept) == {0.1}
    assert 2.0 <= clock.now < 2.2  # 1,000 records a second: the third second starts the last 500
    assert meter.api_calls == 5 + meter.calls_fully_throttled


def test_naive_has_no_answer_to_throttling(records, clock):
    client = MeteredKinesis(ShardLimitedKinesis(1, clock=clock))

    with pytest.raises(ClientError) as raised:
        make_producer(NAIVE)(client, "bench", records[:1001])

    assert raised.value.response["Error"]["Code"] == THROTTLED
    assert (client.meter.api_calls, client.meter.kinesis_records) == (1001, 1000)


@pytest.mark.parametrize("aggregate", [True, False])
def test_the_meter_agrees_with_the_publishers_own_stats(records, clock, aggregate):
    """Without the shard map the publisher cannot pace the shard, so throttling is its flow control."""
    client = MeteredKinesis(ShardLimitedKinesis(1, clock=clock))
    publisher = KinesisPublisher(
        client, "bench", aggregate=aggregate, sleep=clock.sleep, clock=clock, rng=random.Random(0), shard_aware=False
    )
    four_times = [OutgoingRecord(data, index) for index, data in enumerate(records * 4)]  # more than a shard takes

    outcomes = list(publisher.publish(four_times))

    stats, meter = publisher.stats, client.meter
    assert meter.throttled_entries > 0
    assert (meter.api_calls, meter.kinesis_records, meter.throttled_entries) == (
        stats.put_calls,
        stats.kinesis_records,
        stats.throttled,
    )
    assert sum(outcome.ok for outcome in outcomes) == stats.user_records


@pytest.mark.parametrize("aggregate", [True, False])
def test_the_shard_aware_publisher_paces_a_shard_without_being_throttled(records, clock, aggregate):
    client = MeteredKinesis(ShardLimitedKinesis(1, clock=clock))
    publisher = KinesisPublisher(client, "bench", aggregate=aggregate, sleep=clock.sleep, clock=clock)
    four_times = [OutgoingRecord(data, index) for index, data in enumerate(records * 4)]

    assert all(outcome.ok for outcome in publisher.publish(four_times))

    meter = client.meter
    assert meter.throttled_entries == publisher.stats.throttled == 0
    assert meter.api_calls == publisher.stats.put_calls
    floor = max(meter.bytes_accepted / (1024 * 1024), meter.kinesis_records / 1000)
    assert floor - 1 <= clock.now <= floor + 1.1  # the first second is free; each window ~10 ms longer


@pytest.mark.parametrize("name", [INGEST, INGEST_NO_AGGREGATE, INGEST_PREVIOUS])
def test_ingest_producers_count_what_the_publisher_settled(records, clock, name):
    producer = make_producer(name, sleep=clock.sleep, clock=clock)
    tally = producer(ShardLimitedKinesis(4, clock=clock), "bench", records)
    assert (tally.published, tally.failed) == (len(records), 0)


def test_aggregates_hold_every_record_once(records, clock):
    stream = ShardLimitedKinesis(4, clock=clock)
    sent: list[dict] = []

    class Recording:
        def put_records(self, **request):
            response = stream.put_records(**request)
            sent.extend(e for e, r in zip(request["Records"], response["Records"], strict=True) if "ErrorCode" not in r)
            return response

    make_producer(INGEST, sleep=clock.sleep, clock=clock)(Recording(), "bench", records)

    users = [
        user
        for entry in sent
        for user in iter_deaggregate_records(
            [{**entry, "SequenceNumber": "0", "ApproximateArrivalTimestamp": 0}], data_format="Boto3"
        )
    ]
    assert len(users) == len(records)


def test_a_run_at_the_limits_reports_floor_capacity_and_waste(records, clock):
    run = run_at_limits(records, BATCHED, 1, clock=clock, sleep=clock.sleep)

    assert run.floor_s == pytest.approx(2.5)  # 2,500 records at 1,000 a second
    assert run.time_vs_floor == pytest.approx(run.wall_s / 2.5)
    assert run.byte_capacity_fraction == pytest.approx(run.bytes / run.wall_s / (1024 * 1024))
    assert run.throttled_entries == run.retries > 0
    assert run.calls_fully_throttled > 0
    assert (run.published, run.failed, run.kinesis_records) == (2500, 0, 2500)


def test_simulate_runs_each_producer_at_each_shard_count(records, clock):
    runs = simulate(records[:300], shard_counts=(1, 2), clock=clock, sleep=clock.sleep)

    assert [(run.shards, run.producer) for run in runs] == [
        (1, BATCHED),
        (1, INGEST_PREVIOUS),
        (1, INGEST),
        (2, BATCHED),
        (2, INGEST_PREVIOUS),
        (2, INGEST),
    ]
    assert all(run.published == 300 for run in runs)


def test_runs_at_more_shards_use_more_records(records, clock):
    runs = simulate(records, producers=(INGEST,), shard_counts=(1,), min_records=100, clock=clock, sleep=clock.sleep)
    assert [run.records for run in runs] == [len(records)]  # 25,000 a shard wanted; the dataset has 2,500
    assert records_for(1, 100) == 25_000 and records_for(64, 100_000) == 1_600_000 and records_for(1, 10**6) == 10**6
