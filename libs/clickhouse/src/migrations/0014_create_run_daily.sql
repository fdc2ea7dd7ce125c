-- run_daily: the daily run-stats rollup. One row per run under its day (the UTC date of the
-- run's created_at, which never changes), with the run's latest status and duration. A run
-- rewritten pending -> running -> success replaces its own row (ReplacingMergeTree on run_id,
-- version = runs.kafka_offset), so it counts once. Narrow and ordered by day, it is what
-- daily stats read; exact percentiles need every duration, which is why it keeps one row per
-- run instead of pre-merged aggregates. Read with FINAL, or the run_daily_stats view.
CREATE TABLE IF NOT EXISTS {db:Identifier}.run_daily
(
    org_id           LowCardinality(String),
    project_id       String,
    day              Date,
    cronjob_name     String,
    run_id           String,
    status           LowCardinality(String),
    duration_seconds Nullable(Float64),
    version          UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (org_id, project_id, day, cronjob_name, run_id)
