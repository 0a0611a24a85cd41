"""Deliberately broken copies of the real workflow files: each edit names (part of) the problem it must cause."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Break:
    """A plausible bad edit to one workflow file and (part of) the problem the rules must report."""

    file: str
    edit: Callable[[str], str]
    expected: str
    id: str


def replace(old: str, new: str, count: int = -1) -> Callable[[str], str]:
    """Every occurrence of `old`, or the first `count`."""

    def edit(text: str) -> str:
        assert text.count(old) >= 1, f"the edit no longer applies: {old!r} is not in the file"
        return text.replace(old, new, count)

    return edit
