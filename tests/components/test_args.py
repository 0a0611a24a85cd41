"""Bad arguments fail at construction, before any AWS call, naming the argument, the value and the range."""

import pytest

from components import TrackingPipelineArgs, TrackingPipelineArgsError


def test_defaults_are_valid_and_secure():
    args = TrackingPipelineArgs()
    assert args.stream_mode == "PROVISIONED"
    assert args.retention_hours == 48
    assert args.compression == "GZIP"
    assert args.force_destroy is False
    assert args.enable_versioning is True
    assert args.enable_alarms is True
    assert {"IncomingBytes", "OutgoingBytes"} <= set(args.shard_level_metrics)


@pytest.mark.parametrize(
    ("kwargs", "argument", "expected"),
    [
        ({"shard_count": 0}, "shard_count", "at least 1"),
        ({"shard_count": "2"}, "shard_count", "an integer"),
        ({"retention_hours": 23}, "retention_hours", "between 24 and 8760"),
        ({"retention_hours": 8761}, "retention_hours", "between 24 and 8760"),
        ({"buffering_size_mb": 0}, "buffering_size_mb", "between 1 and 128"),
        ({"buffering_size_mb": 129}, "buffering_size_mb", "between 1 and 128"),
        ({"buffering_interval_seconds": 901}, "buffering_interval_seconds", "between 0 and 900"),
        ({"buffering_interval_seconds": -1}, "buffering_interval_seconds", "between 0 and 900"),
        ({"data_prefix": "crypto"}, "data_prefix", "trailing slash"),
        ({"data_prefix": ""}, "data_prefix", "trailing slash"),
        ({"data_prefix": "/crypto/"}, "data_prefix", "no leading slash"),
        ({"error_prefix": ""}, "error_prefix", "without an error output prefix"),
        ({"error_prefix": "errors"}, "error_prefix", "trailing slash"),
        ({"stream_mode": "provisioned"}, "stream_mode", "PROVISIONED, ON_DEMAND"),
        ({"compression": "BZIP2"}, "compression", "GZIP"),
        ({"log_retention_days": 10}, "log_retention_days", "14"),
        ({"shard_level_metrics": ["IncomingBytes"]}, "shard_level_metrics", "must include"),
        ({"shard_level_metrics": ["IncomingBytes", "OutgoingBytes", "Latency"]}, "shard_level_metrics", "among"),
        ({"lifecycle_ia_days": 10}, "lifecycle_ia_days", "at least 30"),
        ({"lifecycle_glacier_days": 40}, "lifecycle_glacier_days", "at least 60"),
        ({"kms_key_arn": "alias/my-key"}, "kms_key_arn", "not a name or alias"),
        ({"kms_key_arn": "arn:aws:kms:ap-southeast-1:123456789012:alias/x"}, "kms_key_arn", ":key/"),
        ({"alarm_topic_arn": "alarms"}, "alarm_topic_arn", ":sns:"),
        ({"force_destroy": "yes"}, "force_destroy", "true or false"),
        ({"http_max_batch_records": 501}, "http_max_batch_records", "between 1 and 500"),
        ({"http_max_batch_records": 0}, "http_max_batch_records", "between 1 and 500"),
        ({"http_rate_limit": 0}, "http_rate_limit", "at least 1"),
        ({"http_rate_limit": -5}, "http_rate_limit", "at least 1"),
        ({"http_rate_limit": 2.5}, "http_rate_limit", "an integer"),
        ({"http_burst_limit": 0}, "http_burst_limit", "at least 1"),
        ({"http_daily_quota": 0}, "http_daily_quota", "at least 1"),
        ({"http_auth": "open"}, "http_auth", "api_key, iam, none"),
        ({"http_cors_origins": ["*"]}, "http_cors_origins", "'*' is not a URL origin"),
        ({"http_cors_origins": ["app.example.com"]}, "http_cors_origins", "is not a URL origin"),
        ({"http_cors_origins": ["https://app.example.com/"]}, "http_cors_origins", "no path"),
        ({"http_cors_origins": ["https://app.example.com/path"]}, "http_cors_origins", "is not a URL origin"),
        ({"http_cors_origins": ["ftp://app.example.com"]}, "http_cors_origins", "http or https"),
        ({"http_cors_origins": ["https://app.example.com:99999"]}, "http_cors_origins", "is not a URL origin"),
        ({"http_cors_origins": ['https://app"$x.example.com']}, "http_cors_origins", "is not a URL origin"),
        ({"http_cors_origins": "https://app.example.com"}, "http_cors_origins", "a list of origins"),
        ({"http_waf_acl_arn": "tracking-acl"}, "http_waf_acl_arn", ":wafv2:"),
        ({"http_waf_acl_arn": "arn:aws:wafv2:ap-southeast-1:1:regional/ipset/x/1"}, "http_waf_acl_arn", "/webacl/"),
        ({"enable_http_endpoint": "yes"}, "enable_http_endpoint", "true or false"),
        ({"http_enable_waf": "yes"}, "http_enable_waf", "true or false"),
        ({"http_waf_rate_limit": 9}, "http_waf_rate_limit", "between 10 and 2000000000"),
        ({"http_execution_log_level": "DEBUG"}, "http_execution_log_level", "OFF, ERROR, INFO"),
        ({"http_enable_tracing": 1}, "http_enable_tracing", "true or false"),
    ],
)
def test_invalid_argument_is_refused_with_its_name_value_and_range(kwargs, argument, expected):
    with pytest.raises(TrackingPipelineArgsError) as caught:
        TrackingPipelineArgs(**kwargs)
    message = str(caught.value)
    assert caught.value.argument == argument
    assert message.startswith(f"{argument}={next(iter(kwargs.values()))!r}")
    assert expected in message


def test_shard_count_is_not_checked_against_a_stream_mode_that_ignores_it():
    assert TrackingPipelineArgs(stream_mode="ON_DEMAND").stream_mode == "ON_DEMAND"


def test_glacier_only_lifecycle_needs_no_ia_stay():
    assert TrackingPipelineArgs(lifecycle_ia_days=None, lifecycle_glacier_days=1).lifecycle_glacier_days == 1


def test_freshness_threshold_follows_the_buffering_interval():
    assert TrackingPipelineArgs(buffering_interval_seconds=60).data_freshness_threshold_seconds == 420
    assert TrackingPipelineArgs(buffering_interval_seconds=900).data_freshness_threshold_seconds == 2100


def test_endpoint_defaults_are_off_with_api_keys_and_no_origins():
    args = TrackingPipelineArgs()
    assert args.enable_http_endpoint is False
    assert (args.http_auth, args.http_max_batch_records, tuple(args.http_cors_origins)) == ("api_key", 500, ())
    assert args.http_waf_acl_arn is None and args.http_set_account_log_role is False
    assert args.uses_api_keys is False
    assert TrackingPipelineArgs(enable_http_endpoint=True).uses_api_keys is True
    assert TrackingPipelineArgs(enable_http_endpoint=True, http_auth="iam").uses_api_keys is False


def test_valid_origins_and_limits_are_accepted():
    args = TrackingPipelineArgs(
        http_cors_origins=["https://app.example.com", "http://localhost:3000"],
        http_max_batch_records=500,
        http_rate_limit=1,
        http_burst_limit=1,
        http_daily_quota=None,
        http_waf_acl_arn="arn:aws:wafv2:ap-southeast-1:123456789012:regional/webacl/tracking/0a1b",
    )
    assert list(args.http_cors_origins) == ["https://app.example.com", "http://localhost:3000"]


def test_the_components_own_web_acl_and_an_existing_one_exclude_each_other():
    acl = "arn:aws:wafv2:ap-southeast-1:123456789012:regional/webacl/tracking/0a1b"
    with pytest.raises(TrackingPipelineArgsError) as caught:
        TrackingPipelineArgs(http_enable_waf=True, http_waf_acl_arn=acl)
    assert caught.value.argument == "http_waf_acl_arn"
    assert "cannot be combined with http_enable_waf" in str(caught.value)
    assert TrackingPipelineArgs(http_enable_waf=True).http_waf_acl_arn is None
