"""Firehose's rules for record format conversion and Athena's for the workgroup fail at construction, naming the
argument to change."""

import pytest

from components import TrackingPipelineArgs, TrackingPipelineArgsError
from components.core.stack_config import StackConfigError, args_from_config


def test_json_is_the_default_and_parquet_is_accepted_with_its_settings():
    assert TrackingPipelineArgs().record_format == "json"
    args = TrackingPipelineArgs(record_format="parquet", compression="UNCOMPRESSED", buffering_size_mb=64)
    assert args.record_format == "parquet"


@pytest.mark.parametrize(
    ("kwargs", "argument", "expected"),
    [
        ({"record_format": "orc"}, "record_format", "json, parquet"),
        (
            {"record_format": "parquet", "compression": "UNCOMPRESSED", "buffering_size_mb": 63},
            "buffering_size_mb",
            "at least 64",
        ),
        ({"record_format": "parquet", "buffering_size_mb": 64}, "compression", "needs UNCOMPRESSED"),
        ({"athena_bytes_scanned_cutoff_mb": 9}, "athena_bytes_scanned_cutoff_mb", "at least 10"),
        ({"athena_results_expiration_days": 0}, "athena_results_expiration_days", "at least 1"),
    ],
)
def test_bad_values_name_the_argument(kwargs, argument, expected):
    with pytest.raises(TrackingPipelineArgsError) as raised:
        TrackingPipelineArgs(**kwargs)
    assert raised.value.argument == argument
    assert expected in str(raised.value)


def test_a_stack_file_breaking_a_conversion_rule_names_its_config_key():
    with pytest.raises(StackConfigError, match="tracking-pipeline:bufferingSizeMb=1 is invalid: record_format=parquet"):
        args_from_config({"recordFormat": "parquet", "compression": "UNCOMPRESSED", "bufferingSizeMb": "1"})
