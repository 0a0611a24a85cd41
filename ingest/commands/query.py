"""`python -m ingest query`: run the named queries (the SQL Athena runs) with DuckDB over delivered objects.

Exit status: 0 when every query ran, 1 when a query failed, 2 for usage and configuration errors (no delivered
objects, an unreadable object, DuckDB or matplotlib missing). Results go to stdout as tables; see `ingest.query`.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ingest.commands.console import fail, fail_on_error
from ingest.errors import IngestError

COMMAND = "query"
DEFAULT_ROWS = 20
DEFAULT_CHART = Path("out/query/daily-candles.png")


def _rows(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        COMMAND,
        help="run the named queries (Athena's SQL) with DuckDB over delivered objects",
        description=(
            "Run the named queries of the Athena workgroup, the same SQL files, with DuckDB over delivered objects "
            "(JSON lines or Parquet, Hive-style year=/month=/day=/hour=/ folders), print each result as a table "
            "and draw the daily candles."
        ),
    )
    parser.add_argument(
        "source",
        nargs="?",
        help="the data prefix's folder, a demo's out/demo-<time>/ folder, or s3://bucket/prefix/ "
        "(default: the newest out/demo-*/)",
    )
    parser.add_argument(
        "--query", action="append", dest="queries", metavar="NAME", help="run only this named query (repeatable)"
    )
    parser.add_argument(
        "--rows",
        type=_rows,
        default=DEFAULT_ROWS,
        metavar="N",
        help=f"rows shown per result (default {DEFAULT_ROWS}; 0: all)",
    )
    parser.add_argument("--chart", type=Path, default=DEFAULT_CHART, metavar="PNG", help=f"(default {DEFAULT_CHART})")
    parser.add_argument("--no-chart", action="store_true", help="do not draw the chart (no matplotlib needed)")
    parser.add_argument("--region", help="region of an s3:// source (default: the standard AWS chain)")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        if args.source is not None and args.source.startswith("s3://"):
            with tempfile.TemporaryDirectory(prefix="ingest-query-") as temporary:
                from botocore.config import Config

                from ingest.clients import aws_client

                s3 = aws_client("s3", region=args.region, config=Config(retries={"mode": "standard"}))
                from ingest.query.sources import download_prefix

                return _query(download_prefix(s3, args.source, Path(temporary)), args)
        from ingest.query.sources import local_folder

        return _query(local_folder(args.source), args)
    except IngestError as exc:
        return fail_on_error(COMMAND, exc)
    except (BotoCoreError, ClientError) as exc:
        return fail(COMMAND, 2, f"reading {args.source}: {exc}")


def _query(folder: Path, args: argparse.Namespace) -> int:
    from ingest.query import find_delivered, run_named_queries
    from ingest.query.chart import draw_daily_candles
    from ingest.query.table import result_table

    objects = find_delivered(folder)
    results = run_named_queries(objects, args.queries)
    print(f"{len(objects.paths)} delivered objects ({objects.format}, {objects.bytes:,} bytes) under {folder}\n")
    for result in results:
        print(f"## {result.name}\n{result_table(result, max_rows=args.rows or None)}\n")
    if not args.no_chart:
        (daily,) = [r for r in results if r.name == "daily_ohlc"] or run_named_queries(objects, ["daily_ohlc"])
        print(f"chart: {draw_daily_candles(daily, args.chart, caption=str(folder))}")
    return 0
