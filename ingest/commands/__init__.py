"""Layer `commands` of `ingest`, the top (under `cli`): the subcommands of `python -m ingest`, one module each.

A command parses its flags, calls a library function (`publish()`, `send()`, `verify_delivery()`, `smoke()`,
`run_demo()`) and prints what it returned; the work and its results live in the layers below. Each module
exposes `register(commands)`, which adds its parser to the `add_subparsers()` action and sets a
`handler(args) -> int` default. A handler imports its library function when it runs, not at the top, so that
`--help` loads no boto3. What the commands share is in `console` (the one-line failure, the one mapping from an
error to an exit status, and the console session, logging, signals and progress, around a publish) and
`arguments` (flags spelled alike). Adding a command is one module plus one entry in `COMMANDS`.
"""

from __future__ import annotations

from . import demo, job, publish, query, send, smoke, verify

COMMANDS = (publish, verify, smoke, demo, send, query, job)
