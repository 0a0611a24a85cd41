import random

import pytest
from botocore.exceptions import EndpointConnectionError

from ingest.errors import TerminalError
from ingest.publishing import KinesisPublisher, PublishAbortedError, RetryPolicy
from ingest.publishing.call_errors import error_code

THROTTLED = "ProvisionedThroughputExceededException"


class CeilingRng(random.Random):
    """Jitter always picks the top of its range, exposing the backoff ceiling."""

    def uniform(self, a, b):
        return b


def refs_of(client_call: list[dict]) -> list[int]:
    return [int(entry["Data"][:8]) for entry in client_call]


def test_backoff_is_exponential_capped_and_fully_jittered():
    policy = RetryPolicy(base_delay=0.1, max_delay=2.0)
    assert [policy.backoff(attempt, CeilingRng()) for attempt in range(1, 8)] == pytest.approx(
        [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0]
    )
    rng = random.Random(1)
    delays = [policy.backoff(5, rng) for _ in range(200)]
    assert all(0 <= delay <= 1.6 for delay in delays)
    assert min(delays) < 0.2 and max(delays) > 1.4
    assert policy.backoff(10_000, CeilingRng()) == 2.0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"base_delay": -1}, "base_delay"),
        ({"base_delay": 3}, "max_delay"),
    ],
)
def test_policy_rejects_nonsense(arguments, message):
    with pytest.raises(ValueError, match=message):
        RetryPolicy(max_delay=2, **arguments)


def test_only_allow_listed_codes_are_retryable(client_error):
    policy = RetryPolicy()
    for code in (
        THROTTLED,
        "InternalFailure",
        "ServiceUnavailable",
        "KMSThrottlingException",
        "ReadTimeoutError",
    ):
        assert policy.is_retryable(code)
    for code in ("KMS.AccessDeniedException", "ResourceNotFoundException", "AccessDeniedException"):
        assert not policy.is_retryable(code)
    assert error_code(client_error("InternalFailure")) == "InternalFailure"
    assert error_code(EndpointConnectionError(endpoint_url="https://kinesis")) == "EndpointConnectionError"


def test_only_failed_entries_are_resent_then_published_once(fake_kinesis, outgoing, delays):
    client = fake_kinesis(
        entry_error=lambda call, entry: THROTTLED if call == 1 and entry["Data"][7] in b"135" else None
    )
    publisher = KinesisPublisher(client, "s", aggregate=False, sleep=delays.append, rng=random.Random(0))
    outcomes = list(publisher.publish(outgoing(10)))
    assert refs_of(client.calls[1]) == [1, 3, 5]
    assert sorted(outcome.ref for outcome in outcomes) == list(range(10))
    assert all(outcome.ok for outcome in outcomes)
    assert sorted(refs_of(client.accepted)) == list(range(10))
    assert len(delays) == 1 and 0 <= delays[0] <= 0.1
    stats = publisher.stats
    assert (stats.put_calls, stats.kinesis_records, stats.user_records) == (2, 10, 10)
    assert (stats.retries, stats.throttled, stats.bytes_published) == (3, 3, 1000)


def test_random_entry_failures_end_with_every_record_published_exactly_once(fake_kinesis, outgoing, delays):
    chaos = random.Random(42)
    client = fake_kinesis(
        entry_error=lambda call, entry: chaos.choice([THROTTLED, "InternalFailure"]) if chaos.random() < 0.3 else None
    )
    publisher = KinesisPublisher(
        client,
        "s",
        aggregate=False,
        retry=RetryPolicy(max_attempts=30),
        sleep=delays.append,
        rng=random.Random(0),
    )
    outcomes = list(publisher.publish(outgoing(2000)))
    assert sorted(outcome.ref for outcome in outcomes) == list(range(2000))
    assert all(outcome.ok for outcome in outcomes)
    assert sorted(refs_of(client.accepted)) == list(range(2000))
    assert publisher.stats.retries == sum(len(call) for call in client.calls) - 2000 > 0
    assert 0 < publisher.stats.throttled < publisher.stats.retries


def test_a_record_failing_past_the_budget_is_reported_with_its_code(fake_kinesis, outgoing, delays):
    client = fake_kinesis(entry_error=lambda call, entry: THROTTLED if entry["Data"].startswith(b"00000002") else None)
    publisher = KinesisPublisher(client, "s", aggregate=False, retry=RetryPolicy(max_attempts=4), sleep=delays.append)
    outcomes = {outcome.ref: outcome for outcome in publisher.publish(outgoing(5))}
    assert outcomes[2].ok is False
    assert outcomes[2].error_code == THROTTLED
    assert outcomes[2].error_message == f"injected {THROTTLED} (still failing after 4 attempts)"
    assert all(outcomes[ref].ok for ref in (0, 1, 3, 4))
    assert [refs_of(call) for call in client.calls] == [[0, 1, 2, 3, 4], [2], [2], [2]]
    assert len(delays) == 3
    assert (publisher.stats.user_records, publisher.stats.retries, publisher.stats.throttled) == (4, 3, 4)


def test_a_non_retryable_entry_code_fails_the_record_at_once(fake_kinesis, outgoing, delays):
    client = fake_kinesis(
        entry_error=lambda call, entry: "KMS.AccessDeniedException" if entry["Data"][7] == ord("1") else None
    )
    publisher = KinesisPublisher(client, "s", aggregate=False, sleep=delays.append)
    outcomes = {outcome.ref: outcome for outcome in publisher.publish(outgoing(3))}
    assert (outcomes[1].ok, outcomes[1].error_code) == (False, "KMS.AccessDeniedException")
    assert outcomes[1].error_message == "injected KMS.AccessDeniedException"
    assert outcomes[0].ok and outcomes[2].ok
    assert len(client.calls) == 1
    assert delays == []


@pytest.mark.parametrize(
    "error",
    [
        pytest.param("InternalFailure", id="InternalFailure"),
        pytest.param(THROTTLED, id="throttled"),
        pytest.param(EndpointConnectionError(endpoint_url="https://kinesis"), id="connection"),
    ],
)
def test_a_transient_whole_call_failure_is_retried(fake_kinesis, outgoing, delays, client_error, error):
    exception = client_error(error) if isinstance(error, str) else error
    client = fake_kinesis(call_error=lambda call: exception if call == 1 else None)
    publisher = KinesisPublisher(client, "s", aggregate=False, sleep=delays.append)
    outcomes = list(publisher.publish(outgoing(7)))
    assert all(outcome.ok for outcome in outcomes) and len(outcomes) == 7
    assert [len(call) for call in client.calls] == [7, 7]
    assert (publisher.stats.put_calls, publisher.stats.retries) == (2, 7)
    assert publisher.stats.throttled == (7 if error == THROTTLED else 0)
    assert len(delays) == 1


def test_a_missing_stream_mid_run_aborts_and_accounts_for_every_record(fake_kinesis, outgoing, delays, client_error):
    client = fake_kinesis(call_error=lambda call: client_error("ResourceNotFoundException") if call == 2 else None)
    publisher = KinesisPublisher(client, "s", aggregate=False, sleep=delays.append)
    records = iter(outgoing(2000))
    settled = []
    with pytest.raises(PublishAbortedError) as caught:
        settled.extend(publisher.publish(records))
    error = caught.value
    assert isinstance(error, TerminalError)
    assert error.error_code == "ResourceNotFoundException"
    assert str(error).startswith("publishing to Kinesis stream 's' stopped: ResourceNotFoundException: ")
    assert "(501 records taken but not published)" in str(error)
    assert [outcome.ref for outcome in settled] == list(range(500))
    assert error.pending == tuple(range(500, 1001))
    assert next(records).ref == 1001
    assert len(client.calls) == 2 and delays == []


def test_a_persisting_transient_call_failure_aborts_after_the_budget(fake_kinesis, outgoing, delays, client_error):
    client = fake_kinesis(call_error=lambda call: client_error("ServiceUnavailable"))
    publisher = KinesisPublisher(client, "s", aggregate=False, retry=RetryPolicy(max_attempts=3), sleep=delays.append)
    with pytest.raises(PublishAbortedError) as caught:
        list(publisher.publish(outgoing(4)))
    assert caught.value.error_code == "ServiceUnavailable"
    assert caught.value.pending == (0, 1, 2, 3)
    assert len(client.calls) == 3 and len(delays) == 2


def test_an_abort_after_a_partial_success_leaves_only_unsettled_records_pending(
    fake_kinesis, outgoing, delays, client_error
):
    client = fake_kinesis(
        entry_error=lambda call, entry: THROTTLED if entry["Data"][7] in b"02" else None,
        call_error=lambda call: client_error("AccessDeniedException") if call == 2 else None,
    )
    publisher = KinesisPublisher(client, "s", aggregate=False, sleep=delays.append)
    settled = []
    with pytest.raises(PublishAbortedError) as caught:
        settled.extend(publisher.publish(outgoing(4)))
    assert [outcome.ref for outcome in settled] == [1, 3]
    assert caught.value.pending == (0, 2)


def test_a_failed_aggregate_is_resent_whole_and_decides_all_its_records(fake_kinesis, outgoing, delays, deaggregate):
    first_aggregate_key = []

    def fail_first_aggregate(call, entry):
        if not first_aggregate_key:
            first_aggregate_key.append(entry["PartitionKey"])
        return THROTTLED if call == 1 and entry["PartitionKey"] == first_aggregate_key[0] else None

    client = fake_kinesis(entry_error=fail_first_aggregate)
    publisher = KinesisPublisher(client, "s", max_aggregate_bytes=2000, sleep=delays.append, rng=random.Random(3))
    outcomes = list(publisher.publish(outgoing(100)))
    assert sorted(outcome.ref for outcome in outcomes) == list(range(100)) and all(o.ok for o in outcomes)
    assert client.calls[1] == [client.calls[0][0]]
    resent_users = deaggregate(client.calls[1][0]["Data"], client.calls[1][0]["PartitionKey"])
    assert len(resent_users) > 1
    assert publisher.stats.retries == 1
    assert publisher.stats.kinesis_records == len(client.calls[0])
    assert publisher.stats.user_records == 100


def test_an_aggregate_failing_for_good_fails_all_its_records_with_its_code(fake_kinesis, outgoing, deaggregate):
    client = fake_kinesis(
        entry_error=lambda call, entry: "KMS.DisabledException" if call == 1 and entry is client.calls[0][0] else None
    )
    publisher = KinesisPublisher(client, "s", max_aggregate_bytes=2000, rng=random.Random(3))
    outcomes = list(publisher.publish(outgoing(100)))
    failed = client.calls[0][0]
    failed_refs = sorted(int(data[:8]) for _, data in deaggregate(failed["Data"], failed["PartitionKey"]))
    assert sorted(o.ref for o in outcomes if not o.ok) == failed_refs
    assert {o.error_code for o in outcomes if not o.ok} == {"KMS.DisabledException"}
    assert len(outcomes) == 100 and publisher.stats.user_records == 100 - len(failed_refs)
