-- The latest 24 hours of the series: every 5-minute interval less than a day older than the newest one,
-- oldest first, with its start as a UTC timestamp.
SELECT
  from_unixtime("date") AS interval_start,
  "date",
  open,
  high,
  low,
  close,
  volume,
  quotevolume,
  weightedaverage
FROM {table}
WHERE "date" > (SELECT max("date") FROM {table}) - 86400
ORDER BY "date"
