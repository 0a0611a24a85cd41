"""`python -m ingest`: the command line. Each subcommand lives in its own module under `ingest.commands`.

Exit status, for every command: 0 success, 1 the job ran but did not fully succeed, 2 usage or
configuration error. Expected errors print one line on stderr; a traceback means a bug.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from ingest.commands import COMMANDS
from ingest.errors import ConfigurationError

PROG = "python -m ingest"

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (exit 2) instead of the usage block followed by the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Publish crypto price records to the tracking pipeline and verify them.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
    except ConfigurationError as exc:  # a format plugin that fails to load
        print(f"ingest: {exc}", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2), already printed
        return exc.code if isinstance(exc.code, int) else 2
    handler: Handler = args.handler
    return handler(args)
