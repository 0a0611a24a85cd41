"""Layer `query` of `ingest`, beside `job` and `smoke`, importing no publish, send or verify code: the named queries,
run locally, DuckDB over delivered objects, with the SQL files Athena runs.

`sources` says where the objects are (a folder, a demo's copies, or an S3 prefix copied down), `delivered` finds
them and their format, `engine` builds a DuckDB
view shaped like the Glue table and runs the SQL, `table` prints results, `chart` draws the daily candles.
DuckDB and matplotlib are imported only inside the functions that use them: the rest of the tool never loads them.
"""

from ingest.query.delivered import DeliveredObjects, find_delivered
from ingest.query.engine import QueryResult, run_named_queries

__all__ = ["DeliveredObjects", "QueryResult", "find_delivered", "run_named_queries"]
