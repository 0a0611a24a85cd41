"""`python -m ingest verify`: not yet available, lands with issue 5."""

from __future__ import annotations

import argparse

from ingest.commands.console import fail

COMMAND = "verify"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private generic
    parser = commands.add_parser(
        COMMAND, help="check that the records of a publish run reached the destination bucket (not yet available)"
    )
    parser.set_defaults(handler=lambda args: fail(COMMAND, 2, "not yet available: lands with issue 5"))
