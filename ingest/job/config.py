"""The job's settings, read from the environment the component gives the two functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from components.core.job import JOB_ENVIRONMENT, JOB_LIMITS
from ingest.errors import ConfigurationError


@dataclass(frozen=True)
class JobConfig:
    source_uri: str
    source_region: str | None
    queue_url: str
    ledger_table: str
    stream_name: str
    report_bucket: str
    report_prefix: str
    max_receive_count: int
    planner_function: str
    """Empty: the planner does not invoke itself; whoever called it follows the `next` it returns."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> JobConfig:
        """A missing or malformed variable is a deployment mistake: name it, so the log line says what to fix."""
        names = JOB_ENVIRONMENT

        def required(name: str) -> str:
            value = environ.get(name, "").strip()
            if not value:
                raise ConfigurationError(f"environment variable {name} is not set (the IngestJob component sets it)")
            return value

        count_text = required(names.max_receive_count)
        try:
            count = int(count_text)
        except ValueError:
            raise ConfigurationError(f"{names.max_receive_count} must be an integer, got {count_text!r}") from None
        if not JOB_LIMITS.min_max_receive_count <= count <= JOB_LIMITS.max_max_receive_count:
            raise ConfigurationError(
                f"{names.max_receive_count} must be {JOB_LIMITS.min_max_receive_count}-"
                f"{JOB_LIMITS.max_max_receive_count}, got {count}"
            )
        source_uri = required(names.source_uri)
        if not source_uri.startswith("s3://"):
            raise ConfigurationError(f"{names.source_uri} must be an s3:// URI, got {source_uri!r}")
        prefix = required(names.report_prefix)
        if not prefix.endswith("/"):
            raise ConfigurationError(f"{names.report_prefix} must end with '/', got {prefix!r}")
        return cls(
            source_uri=source_uri,
            source_region=environ.get(names.source_region, "").strip() or None,
            queue_url=required(names.queue_url),
            ledger_table=required(names.ledger_table),
            stream_name=required(names.stream_name),
            report_bucket=required(names.report_bucket),
            report_prefix=prefix,
            max_receive_count=count,
            planner_function=environ.get(names.planner_function, "").strip(),
        )
