"""Which objects a check reads: the hour partitions from the window's start on, and only recent objects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ingest.errors import ConfigurationError
from ingest.verify.listing import list_delivered, list_errors, parse_timestamp, partition_folder
from tests.verify.builders import BUCKET, PREFIX, backdate, delivery_key, error_key, put


def test_partition_folder_expands_the_components_template_in_utc():
    moment = datetime(2024, 3, 9, 23, 59, tzinfo=UTC)
    assert partition_folder("crypto/", moment) == "crypto/year=2024/month=03/day=09/hour=23/"
    plus_two = datetime.fromisoformat("2024-03-10T01:30:00+02:00")
    assert partition_folder("crypto/", plus_two) == "crypto/year=2024/month=03/day=09/hour=23/"


def test_timestamps_without_an_offset_are_utc_and_garbage_is_a_configuration_error():
    assert parse_timestamp("2024-03-09T10:00:00") == datetime(2024, 3, 9, 10, tzinfo=UTC)
    assert parse_timestamp("2024-03-09T10:00:00.123Z").microsecond == 123000
    with pytest.raises(ConfigurationError, match="not an ISO-8601 time"):
        parse_timestamp("yesterday")


def test_listing_starts_at_the_hour_partition_of_the_window_and_skips_older_objects(s3):
    now = datetime.now(UTC)
    current = put(s3, delivery_key(now), b"x")
    earlier_hour = put(s3, delivery_key(now - timedelta(hours=3)), b"x")  # recent, but its partition is older
    same_hour_but_old = put(s3, delivery_key(now), b"x")
    backdate(same_hour_but_old, now - timedelta(days=2))
    put(s3, f"{PREFIX}year=2000/", b"")  # a folder marker
    since = now - timedelta(minutes=5)

    listed = [item.key for item in list_delivered(s3, BUCKET, PREFIX, since)]

    assert listed == [current]
    assert earlier_hour not in listed


def test_error_listing_covers_every_failure_type(s3):
    now = datetime.now(UTC)
    keys = {put(s3, error_key(now, kind), b"x") for kind in ("processing-failed", "format-conversion-failed")}
    listed = {item.key for item in list_errors(s3, BUCKET, "errors/", now - timedelta(minutes=5))}
    assert listed == keys
