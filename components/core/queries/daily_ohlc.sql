-- Daily OHLC per UTC day: the open of the day's first interval, the close of its last, the highest high, the
-- lowest low, the summed volumes and how many intervals the day has.
SELECT
  CAST(from_unixtime("date" - "date" % 86400) AS date) AS day,
  min_by(open, "date") AS open,
  max(high) AS high,
  min(low) AS low,
  max_by(close, "date") AS close,
  sum(volume) AS volume,
  sum(quotevolume) AS quotevolume,
  count(*) AS intervals
FROM {table}
WHERE "date" IS NOT NULL
GROUP BY "date" - "date" % 86400
ORDER BY day
