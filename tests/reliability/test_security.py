"""No secret in any output, a timeout on every network call, defused XML, bounded decompression.

The IAM statements are linted (parliament, no wildcard resource or action) by tests/components/test_iam_lint.py;
`python -m reliability` runs that module and reports it in the same table.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.config import Config

from reliability.secrets import secrets_stay_out
from reliability.security import decompression_bounded, xml_defused
from reliability.timeouts import NetworkCalls, client_problems, network_timeouts, static_problems


@pytest.mark.e2e
def test_no_credential_value_reaches_stdout_stderr_or_any_file(tmp_path):
    outcome = secrets_stay_out(tmp_path)
    assert outcome.problems == []
    assert "0 secrets found" in outcome.observed


@pytest.mark.e2e
def test_every_client_and_request_the_package_makes_has_a_timeout(tmp_path):
    outcome = network_timeouts(tmp_path)
    assert outcome.problems == []
    assert "kinesis" in outcome.observed and "s3" in outcome.observed


def test_the_timeout_checks_do_catch_a_missing_timeout(tmp_path: Path):
    calls = NetworkCalls(
        clients=[("s3", Config(retries={"mode": "standard"})), ("kinesis", None)],
        requests=[("GET", "https://example.com/a.json", None)],
    )
    assert len(client_problems(calls)) == 3
    (tmp_path / "bad.py").write_text(
        "import boto3, requests, socket\n"
        "boto3.client('s3')\n"
        "boto3.session.Session().client('kinesis', region_name='x')\n"
        "requests.get('https://example.com')\n"
        "session.request('GET', 'https://example.com')\n"
    )
    found = static_problems(tmp_path)
    assert len(found) == 5, found


def test_an_external_entity_is_never_resolved(tmp_path):
    outcome = xml_defused(tmp_path)
    assert outcome.problems == []
    assert "DTDForbidden" in outcome.observed


def test_a_gzip_bomb_is_refused_long_before_its_full_size(tmp_path):
    outcome = decompression_bounded(tmp_path)
    assert outcome.problems == []
    assert "refused after 16 MiB decompressed" in outcome.observed
