"""`python -m ingest smoke`: not yet available, lands with issue 5."""

from __future__ import annotations

import argparse

from ingest.commands.console import fail

COMMAND = "smoke"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private generic
    parser = commands.add_parser(
        COMMAND,
        help="post-deploy smoke test: publish, then verify delivery, from a stack's outputs (not yet available)",
    )
    parser.set_defaults(handler=lambda args: fail(COMMAND, 2, "not yet available: lands with issue 5"))
