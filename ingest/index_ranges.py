"""Sets of record indices stored as inclusive ranges.

A report or checkpoint names every published record as (object URI, index) so `verify` can tell which
ones are missing, yet contiguous data (the normal case) must cost one range per object, not one entry
per record. Outcomes arrive in batch-completion order, so ranges are merged as indices come in.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence


class IndexRanges:
    """Sorted, disjoint, non-adjacent inclusive ranges of non-negative integers."""

    __slots__ = ("_starts", "_ends")

    def __init__(self, ranges: Iterable[Sequence[int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for pair in ranges:
            start, end = pair
            self.add_range(start, end)

    def add(self, index: int) -> None:
        ends = self._ends
        if ends and ends[-1] + 1 == index:
            ends[-1] = index  # the next index of the last range: how outcomes mostly arrive
            return
        self.add_range(index, index)

    def add_range(self, start: int, end: int) -> None:
        if not 0 <= start <= end:
            raise ValueError(f"invalid index range [{start}, {end}]")
        first = bisect_left(self._ends, start - 1)
        stop = bisect_right(self._starts, end + 1)
        if first < stop:
            start = min(start, self._starts[first])
            end = max(end, self._ends[stop - 1])
        self._starts[first:stop] = [start]
        self._ends[first:stop] = [end]

    def __contains__(self, index: object) -> bool:
        if not isinstance(index, int):
            return False
        position = bisect_right(self._starts, index) - 1
        return position >= 0 and self._ends[position] >= index

    def __len__(self) -> int:
        return sum(end - start + 1 for start, end in zip(self._starts, self._ends, strict=True))

    def __iter__(self) -> Iterator[int]:
        for start, end in zip(self._starts, self._ends, strict=True):
            yield from range(start, end + 1)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IndexRanges):
            return NotImplemented
        return self._starts == other._starts and self._ends == other._ends

    def __repr__(self) -> str:
        return f"IndexRanges({self.to_list()!r})"

    def to_list(self) -> list[list[int]]:
        """The JSON form: `[[start, end], ...]`, both ends inclusive."""
        return [[start, end] for start, end in zip(self._starts, self._ends, strict=True)]
