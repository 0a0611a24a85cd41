import pytest

from ingest.clients import aws_client, client_config, kinesis_client
from ingest.errors import ConfigurationError


def test_client_config_uses_standard_retries_and_timeouts():
    config = client_config()
    assert config.retries == {"mode": "standard", "max_attempts": 3}
    assert (config.connect_timeout, config.read_timeout) == (5, 30)


def test_every_client_gets_the_shared_settings(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = kinesis_client("ap-southeast-1")
    assert client.meta.region_name == "ap-southeast-1"
    assert client.meta.config.retries["mode"] == "standard"
    assert client.meta.config.read_timeout == 30


def test_a_malformed_endpoint_url_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "not a url")
    with pytest.raises(ConfigurationError, match="cannot create the s3 client"):
        aws_client("s3", region="ap-southeast-1", config=client_config())
