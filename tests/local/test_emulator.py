"""The emulator's lifecycle and the environment it lends the standard AWS chain."""

from __future__ import annotations

import os

import boto3
import pytest
import requests

from ingest.local.emulator import default_region, emulator_environment, running_emulator
from ingest.local.stack_file import stack_region


def _is_listening(endpoint: str) -> bool:
    try:
        requests.get(f"{endpoint}/moto-api/data.json", timeout=2)
    except requests.ConnectionError:
        return False
    return True


def test_serves_on_loopback_and_stops_at_the_end():
    with running_emulator() as emulator:
        assert emulator.endpoint_url.startswith("http://127.0.0.1:")
        assert emulator.region == default_region() == stack_region("dev")
        emulator.client("kinesis").create_stream(StreamName="s", ShardCount=1)
        assert emulator.client("kinesis").list_streams()["StreamNames"] == ["s"]
        assert _is_listening(emulator.endpoint_url)
    assert not _is_listening(emulator.endpoint_url)


@pytest.mark.parametrize("interruption", [RuntimeError("boom"), KeyboardInterrupt()])
def test_stops_whatever_ends_the_block(interruption):
    with pytest.raises(type(interruption)), running_emulator() as emulator:  # noqa: PT012
        raise interruption
    assert not _is_listening(emulator.endpoint_url)


def test_starts_empty_and_leaves_nothing_behind():
    with running_emulator("us-east-1") as first:
        first.client("s3").create_bucket(Bucket="left-over")
    with running_emulator("us-east-1") as second:
        assert second.client("s3").list_buckets()["Buckets"] == []


def test_environment_points_the_standard_chain_at_the_emulator_and_is_restored(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "someone-elses")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://example.invalid")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    before = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}

    with running_emulator() as emulator:
        emulator.client("s3").create_bucket(
            Bucket="seen-through-the-chain", CreateBucketConfiguration={"LocationConstraint": emulator.region}
        )
        with emulator_environment(emulator):
            assert {k: v for k, v in os.environ.items() if k.startswith("AWS_")} == emulator.environment()
            client = boto3.session.Session().client("s3")
            assert client.meta.region_name == emulator.region
            assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["seen-through-the-chain"]

    assert {name: value for name, value in os.environ.items() if name.startswith("AWS_")} == before


def test_environment_is_restored_after_an_exception(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    with running_emulator() as emulator, pytest.raises(ValueError), emulator_environment(emulator):
        raise ValueError
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-3"
    assert "AWS_ENDPOINT_URL" not in os.environ
