"""`python -m ingest demo`: not yet available, lands with issue 5."""

from __future__ import annotations

import argparse

from ingest.commands.console import fail

COMMAND = "demo"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private generic
    parser = commands.add_parser(COMMAND, help="the whole path on an embedded local AWS emulator (not yet available)")
    parser.set_defaults(handler=lambda args: fail(COMMAND, 0, "not yet available: lands with issue 5"))
