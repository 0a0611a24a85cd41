"""A query result as a plain-text table, the way a terminal shows it."""

from __future__ import annotations

import datetime
from typing import Any

from ingest.query.engine import QueryResult


def cell(value: Any) -> str:
    """Floats with up to 8 decimals (the exchange's precision) and no trailing zeros; times in ISO form, UTC."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.8f}".rstrip("0").rstrip(".")
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def result_table(result: QueryResult, *, max_rows: int | None = None) -> str:
    """Header, rule, rows; numbers right-aligned. With `max_rows`, the first rows and a line saying how many
    are left out."""
    shown = result.rows if max_rows is None else result.rows[:max_rows]
    texts = [[cell(value) for value in row] for row in shown]
    numeric = [
        all(isinstance(row[i], int | float) and not isinstance(row[i], bool) for row in shown if row[i] is not None)
        for i in range(len(result.columns))
    ]
    widths = [max([len(name), *(len(row[i]) for row in texts)]) for i, name in enumerate(result.columns)]

    def line(values: list[str]) -> str:
        return "  ".join(
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ).rstrip()

    lines = [line(list(result.columns)), line(["-" * width for width in widths]), *(line(row) for row in texts)]
    if not result.rows:
        lines.append("(no rows)")
    elif len(shown) < len(result.rows):
        lines.append(f"... {len(result.rows) - len(shown)} more rows ({len(result.rows)} in all)")
    return "\n".join(lines)
