"""`verify_delivery` against in-process moto S3, with objects put by hand the way Firehose writes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ingest.errors import ConfigurationError
from ingest.verify import RecordRef, VerifyOptions
from ingest.verify.polling import verify_delivery
from tests.verify.builders import (
    BUCKET,
    EARLIER_RUN,
    OTHER_RUN,
    RUN,
    A,
    B,
    backdate,
    concatenated,
    delivery_key,
    error_document,
    error_key,
    firehose_error,
    gzipped,
    make_report,
    minutes,
    newline_delimited,
    put,
    record,
    records,
)


def _options(**overrides) -> VerifyOptions:
    return VerifyOptions(bucket=BUCKET, **{"timeout_seconds": 0, "poll_interval_seconds": 5, **overrides})


def _report(now: datetime, a=range(10), b=range(5), **extra):
    return make_report({A: a, B: b}, started_at=now - minutes(2), finished_at=now - minutes(1), **extra)


def test_every_record_found_across_formats_with_duplicates_foreign_lines_and_other_runs(s3):
    now = datetime.now(UTC)
    put(s3, delivery_key(), gzipped(newline_delimited(records(A, range(6)))))
    put(s3, delivery_key(suffix=""), concatenated(records(A, range(4, 10))))  # 4 and 5 twice
    foreign = [b'{"ticker": "BTC"}', b"a,b,c", *records(B, range(5), OTHER_RUN)]
    put(s3, delivery_key(suffix=".txt"), gzipped(newline_delimited([*records(B, range(5)), *foreign])))

    result = verify_delivery(_report(now), _options(), s3_client=s3)

    assert result.ok
    counts = (result.expected, result.delivered, result.missing, result.duplicated, result.unexpected)
    assert counts == (15, 15, 0, 2, 0)
    assert (result.foreign, result.other_runs, result.objects_scanned) == (2, 5, 3)
    assert result.missing_records == ()
    assert result.polls == 1 and not result.timed_out
    assert "OK: every published record arrived." in result.summary()


def test_missing_records_are_named_in_report_order_and_an_object_before_the_window_does_not_count(s3):
    now = datetime.now(UTC)
    put(s3, delivery_key(), newline_delimited(records(A, [0, 1, 2, 5, 6, 7, 8, 9])))
    old = put(s3, delivery_key(), newline_delimited(records(A, [3, 4]) + records(B, range(5))))
    backdate(old, now - minutes(30))  # in the right partition, but written before the run started

    result = verify_delivery(_report(now), _options(), s3_client=s3)

    assert not result.ok
    assert (result.expected, result.delivered, result.missing) == (15, 8, 7)
    assert result.missing_records == (
        RecordRef(A, 3),
        RecordRef(A, 4),
        *(RecordRef(B, index) for index in range(5)),
    )
    assert result.objects_scanned == 1
    assert result.timed_out
    summary = result.summary()
    assert f"  {A} #3" in summary and "FAILED: 7 records still missing" in summary
    assert result.reason() == f"7 of 15 records missing from s3://{BUCKET}/crypto/"


def test_only_the_first_twenty_missing_records_are_listed(s3):
    result = verify_delivery(_report(datetime.now(UTC), a=range(100), b=()), _options(), s3_client=s3)
    assert result.missing == 100
    assert result.missing_records == tuple(RecordRef(A, index) for index in range(20))


def test_records_of_unchanged_objects_from_an_earlier_run_are_expected_too(s3):
    now = datetime.now(UTC)
    report = _report(now, b=(), unchanged={B: (EARLIER_RUN, range(3))})
    put(s3, delivery_key(), newline_delimited(records(A, range(10)) + records(B, range(3), EARLIER_RUN)))
    put(s3, delivery_key(), newline_delimited([record(A, 42)]))  # ours, but the report never published it

    result = verify_delivery(report, _options(), s3_client=s3)

    assert (result.expected, result.delivered, result.missing, result.unexpected) == (13, 13, 0, 1)
    assert result.earlier_runs_expected == 3
    assert "3 of the expected records were published by earlier runs" in result.summary()


def test_since_widens_the_window_for_earlier_runs(s3):
    now = datetime.now(UTC)
    report = _report(now, a=(), b=(), unchanged={B: (EARLIER_RUN, range(3))})
    earlier = put(s3, delivery_key(now - timedelta(hours=2)), newline_delimited(records(B, range(3), EARLIER_RUN)))
    backdate(earlier, now - timedelta(hours=2))

    assert verify_delivery(report, _options(), s3_client=s3).missing == 3
    since = (now - timedelta(hours=3)).isoformat()
    assert verify_delivery(report, _options(since=since), s3_client=s3).delivered == 3


def test_latency_is_measured_from_the_end_of_the_publish_and_may_be_negative(s3):
    now = datetime.now(UTC)
    put(s3, delivery_key(), newline_delimited(records(A, range(10)) + records(B, range(5))))

    after = verify_delivery(_report(now), _options(), s3_client=s3)
    during = verify_delivery(
        make_report({A: range(10)}, started_at=now - minutes(1), finished_at=now + minutes(1)), _options(), s3_client=s3
    )

    assert 55 <= after.first_arrival_seconds <= after.last_arrival_seconds <= 65
    assert -65 <= during.first_arrival_seconds <= -55  # delivery began while the publish was still running
    assert after.first_arrival_seconds.is_integer() and during.first_arrival_seconds.is_integer()
    assert f"first arrival {after.first_arrival_seconds:.0f} s" in after.summary()
    assert "in whole seconds (S3's LastModified has one-second resolution)" in after.summary()
    assert f"first arrival {during.first_arrival_seconds:.0f} s, " in during.summary()
    assert "(negative: delivered while the run was still going)" in during.summary()


def test_an_object_written_in_the_second_the_run_finished_arrived_0_s_after_it_never_before(s3):
    """LastModified is cut to the second: 12:00:05.000 for a write at 12:00:05.700. A run that finished at
    12:00:05.300 must not read as delivered 0.3 s before it finished."""
    key = put(s3, delivery_key(), newline_delimited(records(A, range(3))))
    written = datetime.now(UTC).replace(microsecond=0)
    backdate(key, written)
    finished = written + timedelta(milliseconds=300)

    result = verify_delivery(
        make_report({A: range(3)}, started_at=written - minutes(1), finished_at=finished), _options(), s3_client=s3
    )

    assert (result.first_arrival_seconds, result.last_arrival_seconds) == (0, 0)
    assert "first arrival 0 s, last arrival 0 s, in whole seconds" in result.summary()


def test_latency_ignores_objects_holding_only_other_runs(s3):
    now = datetime.now(UTC)
    put(s3, delivery_key(), newline_delimited(records(A, range(3), OTHER_RUN)))
    result = verify_delivery(_report(now), _options(), s3_client=s3)
    assert result.first_arrival_seconds is None and result.last_arrival_seconds is None
    assert f"no record of run {RUN} has arrived" in result.summary()


def test_records_under_the_error_prefix_are_reported_and_count_as_missing(s3, fake_clock):
    now = datetime.now(UTC)
    put(s3, delivery_key(), newline_delimited(records(A, range(8)) + records(B, range(5))))
    failures = [firehose_error(record(A, 8)), firehose_error(record(A, 9)), firehose_error(b"not ours")]
    put(s3, error_key(), gzipped(error_document(failures)))

    result = verify_delivery(
        _report(now), _options(timeout_seconds=600), s3_client=s3, sleep=fake_clock.sleep, clock=fake_clock.clock
    )

    assert (result.missing, result.missing_failed, result.failed_delivery_count, result.other_failures) == (2, 2, 2, 1)
    assert fake_clock.slept == []  # Firehose gave up on them: waiting cannot help
    assert not result.timed_out
    first = result.failed_deliveries[0]
    assert (first.error_code, first.uri, first.index, first.run_id, first.attempts_made) == (
        "Lambda.FunctionError",
        A,
        8,
        RUN,
        4,
    )
    summary = result.summary()
    assert "Failed deliveries under s3://delivery-bucket/errors/: 2 records of this report and 1 other" in summary
    assert "Firehose gave up on them" in summary


def test_polling_waits_for_an_object_that_arrives_later(s3, fake_clock):
    now = datetime.now(UTC)
    put(s3, delivery_key(), newline_delimited(records(A, range(10))))

    def during_wait(number: int) -> None:
        if number == 2:
            put(s3, delivery_key(), newline_delimited(records(B, range(5))))

    fake_clock.on_sleep = during_wait
    polls = []

    result = verify_delivery(
        _report(now),
        _options(timeout_seconds=60, poll_interval_seconds=5),
        s3_client=s3,
        sleep=fake_clock.sleep,
        clock=fake_clock.clock,
        progress=polls.append,
    )

    assert result.ok and result.polls == 3
    assert fake_clock.slept == [5, 5]
    assert [(p.poll, p.delivered, p.missing) for p in polls] == [(1, 10, 5), (2, 10, 5)]
    assert polls[1].line() == (
        "poll 2 at 5 s: 10 of 15 records delivered, 5 missing; next look in 5 s (gives up in 55 s)"
    )


def test_the_timeout_ends_polling_and_the_last_wait_is_cut_short(s3, fake_clock):
    result = verify_delivery(
        _report(datetime.now(UTC)),
        _options(timeout_seconds=12, poll_interval_seconds=5),
        s3_client=s3,
        sleep=fake_clock.sleep,
        clock=fake_clock.clock,
    )
    assert fake_clock.slept == [5, 5, 2]
    assert (result.polls, result.missing, result.timed_out, result.elapsed_seconds) == (4, 15, True, 12)


class _CountingS3:
    """Passes calls to the real client and counts the downloads."""

    def __init__(self, client):
        self._client = client
        self.downloads: list[str] = []

    def get_object(self, **kwargs):
        self.downloads.append(kwargs["Key"])
        return self._client.get_object(**kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


def test_objects_are_downloaded_once_unless_they_change_and_deleted_ones_stop_counting(s3, fake_clock):
    now = datetime.now(UTC)
    first = put(s3, delivery_key(), newline_delimited(records(A, range(10))))
    second = put(s3, delivery_key(), newline_delimited(records(B, range(3))))
    counting = _CountingS3(s3)

    def during_wait(number: int) -> None:
        if number == 1:
            put(s3, second, newline_delimited(records(B, range(5))))  # overwritten: new ETag
        if number == 2:
            s3.delete_object(Bucket=BUCKET, Key=first)

    fake_clock.on_sleep = during_wait
    result = verify_delivery(
        _report(now, b=range(6)),
        _options(timeout_seconds=10, poll_interval_seconds=5),
        s3_client=counting,
        sleep=fake_clock.sleep,
        clock=fake_clock.clock,
    )

    assert sorted(counting.downloads) == sorted([first, second, second])
    assert (result.polls, result.delivered, result.missing) == (3, 5, 11)
    assert result.missing_records[0] == RecordRef(A, 0)


def test_an_unreadable_object_is_named_and_the_rest_still_counts(s3):
    now = datetime.now(UTC)
    put(s3, delivery_key(), newline_delimited(records(A, range(10)) + records(B, range(5))))
    corrupt = gzipped(newline_delimited(records(A, range(50))))
    bad = put(s3, delivery_key(), corrupt[: len(corrupt) // 2])

    result = verify_delivery(_report(now), _options(), s3_client=s3)

    assert result.ok
    assert [(item.key, item.reason.split(":")[0]) for item in result.unreadable_objects] == [(bad, "cannot decompress")]
    assert f"Unreadable object {bad}" in result.summary()


def test_a_missing_bucket_is_a_configuration_error(s3):
    report = _report(datetime.now(UTC))
    with pytest.raises(ConfigurationError, match="s3://no-such-bucket/crypto/: the bucket does not exist"):
        verify_delivery(report, VerifyOptions(bucket="no-such-bucket", timeout_seconds=0), s3_client=s3)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (VerifyOptions(bucket=BUCKET, prefix="crypto"), "must be a folder"),
        (VerifyOptions(bucket=BUCKET, error_prefix="/errors/"), "must be a folder"),
        (VerifyOptions(bucket=BUCKET, timeout_seconds=-1), "timeout must be"),
        (VerifyOptions(bucket=BUCKET, since="last week"), "not an ISO-8601 time"),
    ],
)
def test_options_that_would_make_the_check_silently_wrong_are_refused(s3, options, message):
    with pytest.raises(ConfigurationError, match=message):
        verify_delivery(_report(datetime.now(UTC)), options, s3_client=s3)


def test_a_report_without_finished_at_is_a_configuration_error(s3):
    now = datetime.now(UTC)
    report = make_report({A: range(3)}, started_at=now, finished_at=None)
    with pytest.raises(ConfigurationError, match="has no finished_at"):
        verify_delivery(report, _options(), s3_client=s3)


def test_the_json_form_has_every_field_and_named_records(s3):
    now = datetime.now(UTC)
    put(s3, delivery_key(), newline_delimited(records(A, range(9))))
    put(s3, error_key(), error_document([firehose_error(record(A, 9))]))

    document = verify_delivery(_report(now, b=()), _options(), s3_client=s3).to_dict()

    assert document["ok"] is False
    assert {key: document[key] for key in ("expected", "delivered", "missing", "duplicated", "unexpected")} == {
        "expected": 10,
        "delivered": 9,
        "missing": 1,
        "duplicated": 0,
        "unexpected": 0,
    }
    assert document["missing_records"] == [{"uri": A, "index": 9}]
    assert document["failed_deliveries"][0]["uri"] == A and document["failed_deliveries"][0]["index"] == 9
    assert document["failed_delivery_count"] == 1
    assert document["run_id"] == RUN and document["bucket"] == BUCKET
    assert isinstance(document["first_arrival_seconds"], float)
