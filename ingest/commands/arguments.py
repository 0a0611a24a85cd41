"""Flags and argument types that several commands share, spelled and checked the same way in each."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ingest.verify.options import DEFAULT_POLL_INTERVAL_SECONDS


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type for a whole number in [minimum, maximum]; a bad value is a one-line usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if maximum is not None and not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"expected {minimum} to {maximum}, got {value}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected at least {minimum}, got {value}")
        return value

    return parse


def add_poll_interval(parser: argparse.ArgumentParser) -> None:
    """`--poll-interval SECONDS`, for the commands that wait for delivery (verify, smoke)."""
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=DEFAULT_POLL_INTERVAL_SECONDS,
        metavar="SECONDS",
        help=f"time between looks at the bucket (default {DEFAULT_POLL_INTERVAL_SECONDS:g})",
    )
