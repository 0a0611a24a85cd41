"""The demo serves the tracking endpoint with the local stand-in, sends part of the data through it with `send`,
and `verify` finds those records as it finds the published ones."""

from __future__ import annotations

import gzip
import json

import pytest

from ingest.endpoint.report import load_send_report
from ingest.local.demo import ENDPOINT_RECORDS, DemoOptions, run_demo
from ingest.records import decode_record

pytestmark = pytest.mark.e2e

SAMPLE_RECORDS = 864


def _quiet(message: str) -> None:
    """Step lines are for people."""


def test_part_of_the_data_goes_through_the_endpoint_and_is_verified(tmp_path):
    result = run_demo(DemoOptions(out=tmp_path), progress=_quiet)

    assert result.status == 0
    assert result.endpoint is not None and result.endpoint.accepted == ENDPOINT_RECORDS
    verification = result.endpoint_verification
    assert verification is not None and verification.ok
    assert (verification.expected, verification.delivered, verification.missing) == (ENDPOINT_RECORDS,) * 2 + (0,)
    assert verification.earlier_runs_expected == 0, "the endpoint's records are this send's, not an earlier run's"
    assert verification.first_arrival_seconds is not None and verification.first_arrival_seconds >= 0
    assert result.verification is not None and result.verification.expected == SAMPLE_RECORDS
    report = load_send_report(tmp_path / "endpoint-report.json")
    sent = json.loads((tmp_path / "endpoint-records.json").read_text())
    assert len(sent) == ENDPOINT_RECORDS and sent[0]["date"] == 1514764800 + SAMPLE_RECORDS * 300
    lines = [line for path in result.copies for line in gzip.decompress(path.read_bytes()).splitlines()]
    through_endpoint = [decode_record(line) for line in lines if b"apigateway://" in line]
    assert {(p.run_id, p.source, p.index) for _, p in through_endpoint} == set(report.expected_records())
    assert sorted(fields["date"] for fields, _ in through_endpoint) == [record["date"] for record in sent]
    assert result.stack["trackingEndpointUrl"].startswith("http://127.0.0.1:")
    assert json.loads((tmp_path / "stack-outputs.json").read_text())["trackingApiId"] == "local"
    summary = result.summary()
    assert "stand-in for API Gateway" in summary
    assert "no record of run" not in summary and "earlier runs" not in summary
    assert "127.0.0.1" not in summary.split("Post one record", 1)[1], "the local endpoint is gone by the end"
    assert 'curl -sS -X POST "$URL/v1/records"' in summary and "pulumi stack output trackingEndpointUrl" in summary


def test_the_endpoint_can_be_left_out(tmp_path):
    result = run_demo(DemoOptions(out=tmp_path, endpoint_records=0), progress=_quiet)
    assert result.status == 0
    assert result.endpoint is None and result.endpoint_verification is None
    assert result.stack["trackingEndpointUrl"] is None, "the dev stack has an endpoint, but nothing served it"
    assert not (tmp_path / "endpoint-report.json").exists()
