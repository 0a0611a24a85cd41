"""The named queries: one SQL file each under `queries/`, run unchanged by Athena (Trino) and by DuckDB locally.

The one dialect bridge is the `{table}` placeholder, replaced by the table's qualified name in Athena
(`"tracking_dev"."price_record"`) and by the local view's name in DuckDB. Everything else is SQL both engines
accept with the same meaning; the differences they have, and how the files avoid them:
- `/` divides integers as integers in Trino but as floats in DuckDB: the files divide only where the division is
  exact, and cast the result to bigint;
- `from_unixtime(seconds)` is Trino's (https://trino.io/docs/current/functions/datetime.html); DuckDB has no
  function of that name, so the local engine defines it as a macro with the same meaning (UTC);
- `min_by` / `max_by`, `count_if`, `lag(...) OVER`, `CAST(... AS date)` and `%` exist with the same meaning in
  both;
- `"date"` is quoted: DATE is a type keyword in both.
The first lines of a file, as `--` comments, are its description (Athena shows it next to the named query).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
TABLE_PLACEHOLDER = "{table}"
_OTHER_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    """The file's stem: `daily_ohlc`."""
    description: str
    template: str
    """The SQL with its `{table}` placeholder(s)."""

    def render(self, table: str) -> str:
        return render(self.template, table)


def render(template: str, table: str) -> str:
    """The SQL for one engine; any placeholder other than `{table}` is an error, not left for the engine to trip on."""
    if TABLE_PLACEHOLDER not in template:
        raise ValueError("a named query must read {table}")
    unknown = set(_OTHER_PLACEHOLDER.findall(template)) - {TABLE_PLACEHOLDER}
    if unknown:
        raise ValueError(f"unknown placeholder {sorted(unknown)[0]}: the only one is {TABLE_PLACEHOLDER}")
    return template.replace(TABLE_PLACEHOLDER, table)


def load_named_queries(directory: Path = QUERIES_DIR) -> tuple[NamedQuery, ...]:
    """Every `*.sql` file of `directory`, by name."""
    queries = []
    for path in sorted(directory.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        comments = []
        for line in text.splitlines():
            if not line.startswith("--"):
                break
            comments.append(line[2:].strip())
        if not comments:
            raise ValueError(f"{path}: start the file with a '--' comment that describes the query")
        render(text, "t")
        queries.append(NamedQuery(path.stem, " ".join(comments), text))
    if not queries:
        raise ValueError(f"no named queries in {directory}")
    return tuple(queries)
