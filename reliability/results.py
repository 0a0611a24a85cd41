"""One row per input, fault, load run or security check, and the docs/reliability.md table made of them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("input", "fault", "load", "security")


@dataclass
class Counts:
    """Records of one check: what the run report says, and what was lost (measured, not taken from the report)."""

    read: int = 0
    published: int = 0
    rejected: int = 0
    failed: int = 0
    lost: int = 0
    """Records read that are neither found in the stream (or bucket) nor in the dead-letter file."""

    def add(self, other: Counts) -> None:
        self.read += other.read
        self.published += other.published
        self.rejected += other.rejected
        self.failed += other.failed
        self.lost += other.lost


@dataclass
class Outcome:
    kind: str
    """One of KINDS."""
    name: str
    tried: str
    """What was fed in or injected, in a few words."""
    observed: str
    """What happened: status, exit code, the dead-letter reason, ..."""
    counts: Counts | None = None
    """None for checks that publish no records (timeouts, IAM lint)."""
    problems: list[str] = field(default_factory=list)
    """Every way the check departed from what it must do; empty when it passed."""

    @property
    def passed(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def totals(outcomes: Iterable[Outcome], kind: str) -> Counts:
    total = Counts()
    for outcome in outcomes:
        if outcome.kind == kind and outcome.counts is not None:
            total.add(outcome.counts)
    return total


def markdown_table(outcomes: Sequence[Outcome]) -> str:
    """The docs/reliability.md table: one row per check, then a total per kind."""
    lines = [
        "| Kind | Input or fault | What happened | Read | Published | Rejected | Failed | Lost | Result |",
        "|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for outcome in outcomes:
        result = "pass" if outcome.passed else "**FAIL**: " + "; ".join(outcome.problems)
        lines.append(_row(outcome.kind, f"`{outcome.name}`: {outcome.tried}", outcome.observed, outcome.counts, result))
    for kind in KINDS:
        chosen = [outcome for outcome in outcomes if outcome.kind == kind]
        if chosen:
            passed = sum(outcome.passed for outcome in chosen)
            counted = any(outcome.counts is not None for outcome in chosen)
            checks = f"{len(chosen)} check" if len(chosen) == 1 else f"{len(chosen)} checks"
            total = totals(chosen, kind) if counted else None
            lines.append(_row(f"**{kind}**", f"**{checks}**", f"**{passed} passed**", total, ""))
    return "\n".join(lines)


def _row(kind: str, tried: str, observed: str, counts: Counts | None, result: str) -> str:
    numbers = (
        [counts.read, counts.published, counts.rejected, counts.failed, counts.lost] if counts is not None else [""] * 5
    )
    cells = [kind, tried, observed, *map(str, numbers), result]
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def write_results(outcomes: Sequence[Outcome], path: Path, *, context: dict[str, Any]) -> None:
    document = {**context, "passed": all(outcome.passed for outcome in outcomes)}
    document["outcomes"] = [outcome.to_dict() for outcome in outcomes]
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
