-- run_log_entries: structured log lines, at most 500 per run. Line `seq` of a generation
-- lives in slot seq % 500, so the 501st line overwrites the 1st (the newest 500 are kept).
-- version orders writes (Kafka offset * 10000 + position in the event); read with FINAL and
-- keep rows whose generation equals runs.log_generation (view run_log_entries_current).
CREATE TABLE IF NOT EXISTS {db:Identifier}.run_log_entries
(
    org_id      LowCardinality(String),
    project_id  String,
    run_id      String,
    slot        UInt16,
    generation  UInt32,
    seq         UInt64,
    at          DateTime64(3, 'UTC'),
    level       LowCardinality(String),
    message     String CODEC(ZSTD(3)),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (org_id, project_id, run_id, slot)
