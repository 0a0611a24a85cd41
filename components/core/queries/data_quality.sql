-- Data quality, one row per finding: intervals delivered more than once (affected: the copies), gaps in the
-- 5-minute series (interval_start: the first missing interval; affected: how many are missing) and intervals
-- with rows whose low is above their high (affected: those rows).
WITH intervals AS (
  SELECT "date", count(*) AS copies, count_if(low > high) AS inverted
  FROM {table}
  WHERE "date" IS NOT NULL
  GROUP BY "date"
),
steps AS (
  SELECT "date", lag("date") OVER (ORDER BY "date") AS previous
  FROM intervals
)
SELECT 'duplicate_interval' AS issue, from_unixtime("date") AS interval_start, copies AS affected
FROM intervals
WHERE copies > 1
UNION ALL
SELECT
  'gap',
  from_unixtime(previous + 300),
  -- an exact division, so Trino's integer / and DuckDB's float / agree
  CAST(("date" - previous - ("date" - previous) % 300) / 300 AS bigint) - 1
FROM steps
WHERE "date" - previous > 300
UNION ALL
SELECT 'low_above_high', from_unixtime("date"), inverted
FROM intervals
WHERE inverted > 0
ORDER BY interval_start, issue
