"""What `verify` looks for and how long it waits: one frozen value the CLI, `smoke` and `demo` all build."""

from __future__ import annotations

from dataclasses import dataclass

from components.core.settings import TrackingPipelineArgs, TrackingPipelineArgsError
from ingest.errors import ConfigurationError


def default_timeout_seconds(buffering_interval_seconds: int | None = None) -> float:
    """Two buffer flushes plus five minutes: the threshold the stack's data-freshness alarm uses, so `verify`
    gives up exactly when the deployed pipeline would itself call delivery late. Without an interval the
    component's default applies."""
    try:
        if buffering_interval_seconds is None:
            args = TrackingPipelineArgs()
        else:
            args = TrackingPipelineArgs(buffering_interval_seconds=buffering_interval_seconds)
    except TrackingPipelineArgsError as exc:
        raise ConfigurationError(f"buffering interval: {exc}") from None
    return float(args.data_freshness_threshold_seconds)


DEFAULT_TIMEOUT_SECONDS = default_timeout_seconds()
DEFAULT_POLL_INTERVAL_SECONDS = 5.0
DEFAULT_CLOCK_SKEW_SECONDS = 300.0


@dataclass(frozen=True)
class VerifyOptions:
    bucket: str
    prefix: str = "crypto/"
    """The stack's `deliveryPrefix` output: the folder Firehose appends `year=/month=/day=/hour=/` to."""
    error_prefix: str = "errors/"
    """The stack's `errorPrefix` output: the folder Firehose writes the records it failed to deliver under."""
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    """How long to keep polling while records are missing (0: look once)."""
    poll_interval_seconds: float = DEFAULT_POLL_INTERVAL_SECONDS
    clock_skew_seconds: float = DEFAULT_CLOCK_SKEW_SECONDS
    """Objects written up to this long before the run started still count: S3's clock and this machine's
    clock differ, and Firehose names objects after the arrival time of their oldest record."""
    region: str | None = None
    since: str | None = None
    """ISO-8601 start of the window to read instead of `started_at - clock_skew`: needed to find the records of
    earlier runs that a report lists for objects unchanged since the checkpoint."""

    def check(self) -> None:
        """Reject values that would make the listing silently wrong rather than fail."""
        if not self.bucket:
            raise ConfigurationError("no bucket given")
        for name, prefix in (("prefix", self.prefix), ("error prefix", self.error_prefix)):
            if prefix and (not prefix.endswith("/") or prefix.startswith("/")):
                raise ConfigurationError(
                    f"{name} {prefix!r} must be a folder such as 'crypto/' (trailing slash, no leading slash)"
                )
        for name, value in (
            ("timeout", self.timeout_seconds),
            ("poll interval", self.poll_interval_seconds),
            ("clock skew", self.clock_skew_seconds),
        ):
            if not value >= 0:
                raise ConfigurationError(f"{name} must be a number of seconds >= 0, got {value!r}")
