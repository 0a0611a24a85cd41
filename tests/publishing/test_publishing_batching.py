import pytest

from components.core.limits import MIB, check_partition_key
from ingest.publishing import (
    KINESIS_LIMITS,
    RECORD_TOO_LARGE,
    KinesisLimits,
    KinesisPublisher,
    OutgoingRecord,
)
from ingest.publishing.batching import BatchBuilder, PutEntry

KEY = "k" * 32


def entry(size: int, ref: int = 0, key: str = KEY) -> PutEntry:
    """An entry that counts exactly `size` bytes against the limits."""
    return PutEntry(b"x" * (size - len(key.encode("utf-8"))), key, (ref,))


def batch_sizes(entries: list[PutEntry], limits: KinesisLimits = KINESIS_LIMITS) -> list[list[int]]:
    builder = BatchBuilder(limits)
    batches = [completed for item in entries if (completed := builder.add(item))]
    batches.append(builder.take())
    return [[item.size for item in batch] for batch in batches if batch]


def test_exactly_500_entries_make_one_call_and_501_make_two():
    assert [len(batch) for batch in batch_sizes([entry(100)] * 500)] == [500]
    assert [len(batch) for batch in batch_sizes([entry(100)] * 501)] == [500, 1]


def test_exactly_5_mib_fits_one_call_and_one_byte_more_does_not():
    assert batch_sizes([entry(MIB)] * 4 + [entry(MIB - 40), entry(40)]) == [[MIB] * 4 + [MIB - 40, 40]]
    assert batch_sizes([entry(MIB)] * 4 + [entry(MIB - 40), entry(41)]) == [[MIB] * 4 + [MIB - 40], [41]]


def test_a_1_mib_entry_is_accepted_and_a_larger_one_is_a_bug():
    assert batch_sizes([entry(MIB)]) == [[MIB]]
    with pytest.raises(ValueError, match="exceeds the per-record limit"):
        BatchBuilder().add(entry(MIB + 1))


def test_partition_key_bytes_count_and_256_characters_is_the_limit():
    assert PutEntry(b"x", "é" * 256, (0,)).size == 1 + 512
    assert check_partition_key("k" * 256) == "k" * 256
    for bad in ("", "k" * 257):
        with pytest.raises(ValueError, match="1 to 256 characters"):
            PutEntry(b"x", bad, (0,))
    assert batch_sizes([entry(MIB, key="é" * 256)] * 6) == [[MIB] * 5, [MIB]]


def test_a_completed_batch_leaves_the_entry_that_did_not_fit_in_the_next():
    builder = BatchBuilder(KinesisLimits(max_records_per_call=2))
    assert builder.add(entry(10, ref=1)) is None
    assert builder.add(entry(10, ref=2)) is None
    completed = builder.add(entry(10, ref=3))
    assert [item.refs for item in completed] == [(1,), (2,)]
    assert [item.refs for item in builder.take()] == [(3,)]
    assert builder.take() == []


@pytest.mark.parametrize(("count", "calls"), [(1, [1]), (500, [500]), (501, [500, 1]), (1200, [500, 500, 200])])
def test_publisher_calls_hold_at_most_500_records(fake_kinesis, outgoing, count, calls):
    client = fake_kinesis()
    publisher = KinesisPublisher(client, "s", aggregate=False, sleep=pytest.fail)
    outcomes = list(publisher.publish(outgoing(count)))
    assert [len(call) for call in client.calls] == calls
    assert sorted(outcome.ref for outcome in outcomes) == list(range(count))
    assert all(outcome.ok for outcome in outcomes)


@pytest.mark.parametrize("aggregate", [False, True])
def test_publisher_splits_calls_at_5_mib_and_sends_1_mib_records(fake_kinesis, aggregate):
    largest = MIB - 32  # plus the 32-character partition key: exactly 1 MiB
    records = [OutgoingRecord(bytes([65 + index]) * largest, ref=index) for index in range(6)]
    client = fake_kinesis()
    outcomes = list(KinesisPublisher(client, "s", aggregate=aggregate, sleep=pytest.fail).publish(records))
    assert [len(call) for call in client.calls] == [5, 1]
    assert [entry["Data"] for entry in client.accepted] == [record.data for record in records]
    assert all(outcome.ok for outcome in outcomes)


@pytest.mark.parametrize("aggregate", [False, True])
def test_a_record_too_large_for_kinesis_fails_without_a_call(fake_kinesis, outgoing, aggregate):
    client = fake_kinesis()
    publisher = KinesisPublisher(client, "s", aggregate=aggregate, sleep=pytest.fail)
    too_large = OutgoingRecord(b"x" * (MIB - 31), ref="big")
    outcomes = {outcome.ref: outcome for outcome in publisher.publish([*outgoing(3), too_large])}
    assert outcomes["big"].ok is False
    assert outcomes["big"].error_code == RECORD_TOO_LARGE
    assert str(MIB + 1) in outcomes["big"].error_message
    assert all(outcomes[ref].ok for ref in range(3))
    assert len(client.calls) == 1
    assert publisher.stats.user_records == 3

    alone = fake_kinesis()
    assert [o.error_code for o in KinesisPublisher(alone, "s", aggregate=aggregate).publish([too_large])] == [
        RECORD_TOO_LARGE
    ]
    assert alone.calls == []


def test_input_is_consumed_lazily(fake_kinesis, outgoing):
    consumed = 0

    def endless():
        nonlocal consumed
        for record in outgoing(100_000):
            consumed += 1
            yield record

    outcomes = KinesisPublisher(fake_kinesis(), "s", aggregate=False).publish(endless())
    next(outcomes)
    assert consumed == 501


def test_aggregated_input_is_consumed_lazily(fake_kinesis, outgoing):
    consumed = 0

    def endless():
        nonlocal consumed
        for record in outgoing(100_000):
            consumed += 1
            yield record

    publisher = KinesisPublisher(
        fake_kinesis(), "s", limits=KinesisLimits(max_records_per_call=3), max_aggregate_bytes=1000
    )
    next(publisher.publish(endless()))
    most_per_aggregate = 1000 // 100
    # One call's worth of aggregates, the aggregate being filled, and the record that did not fit it.
    assert consumed <= (3 + 1) * most_per_aggregate + 1
