-- model_executions: one row per model execution (fields of the reference executions object),
-- enriched with the parent run's cronjob_name. Reporting the same id again replaces the row
-- (highest version wins). duration_seconds = completed_at - started_at. Read with FINAL.
CREATE TABLE IF NOT EXISTS {db:Identifier}.model_executions
(
    org_id           LowCardinality(String),
    project_id       String,
    model_name       String,
    id               String,
    job_run_id       String,
    cronjob_name     String,
    status           LowCardinality(String),
    started_at       DateTime64(3, 'UTC'),
    completed_at     Nullable(DateTime64(3, 'UTC')),
    duration_seconds Nullable(Float64),
    rows_processed   Nullable(UInt64),
    bytes_processed  Nullable(UInt64),
    interval_start   Nullable(DateTime64(3, 'UTC')),
    interval_end     Nullable(DateTime64(3, 'UTC')),
    created_at       DateTime64(3, 'UTC'),
    updated_at       DateTime64(3, 'UTC'),
    version          UInt64,
    INDEX idx_started_at started_at TYPE minmax GRANULARITY 4,
    INDEX idx_updated_at updated_at TYPE minmax GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (org_id, project_id, model_name, id)
