-- feed_watermarks: per partition of runs.events.v1, the offset below which every read-model row
-- is written. The materializer writes it after all of a flush's writes (so rows at offsets below
-- it never appear later), the change feed reads only below it, and a rebuild empties it first.
-- The highest offset a partition reached wins.
CREATE TABLE IF NOT EXISTS {db:Identifier}.feed_watermarks
(
    kafka_partition UInt32,
    next_offset     UInt64
)
ENGINE = ReplacingMergeTree(next_offset)
ORDER BY kafka_partition
