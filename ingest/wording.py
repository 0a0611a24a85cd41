"""How the summaries word a count, so `send`, `verify` and the demo all say "1 record" and "2 records"."""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """`number` and `noun`, with an `s` unless it is exactly one (the nouns the summaries use are all regular)."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
