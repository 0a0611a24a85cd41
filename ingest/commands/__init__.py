"""The subcommands of `python -m ingest`, one module each.

Each module exposes `register(commands)`, which adds its parser to the `add_subparsers()` action and sets a
`handler(args) -> int` default. Adding a command is one module plus one entry in `COMMANDS`.
"""

from __future__ import annotations

from . import demo, publish, send, smoke, verify

COMMANDS = (publish, verify, smoke, demo, send)
