"""The local job (demo --job, the e2e tests) is provisioned as the dev stack file declares its IngestJob."""

from __future__ import annotations

from components.core.stack_config import job_args_from_config
from ingest.local.job_provision import LocalJobSettings
from ingest.local.stack_file import read_stack_file


def test_the_local_job_takes_the_dev_stacks_declared_settings() -> None:
    declared = job_args_from_config(read_stack_file("dev"))
    settings = LocalJobSettings.of_stack("dev", workers=3)
    assert declared is not None
    assert (settings.max_receive_count, settings.batch_size, settings.report_prefix, settings.workers) == (
        declared.max_receive_count,
        declared.batch_size,
        declared.report_prefix,
        3,
    )
