-- runs: latest state of each run, one row per (org_id, project_id, id) after merges.
-- Every materialized change writes a whole new row; the row with the highest kafka_offset
-- (the last event folded into it) wins. Read with FINAL.
CREATE TABLE IF NOT EXISTS {db:Identifier}.runs
(
    org_id            LowCardinality(String),
    project_id        String,
    id                String,
    job_id            String,
    job_name          String,
    cronjob_name      String,
    namespace         String,
    job_type          LowCardinality(String),
    status            LowCardinality(String),
    triggered_by      LowCardinality(String),
    target_gateway    String,
    start_time        Nullable(DateTime64(3, 'UTC')),
    end_time          Nullable(DateTime64(3, 'UTC')),
    duration_seconds  Nullable(Float64),
    error_summary     String,
    telemetry_summary String,
    created_at        DateTime64(3, 'UTC'),
    updated_at        DateTime64(3, 'UTC'),
    event_count       UInt32,
    last_event_id     UUID,
    kafka_partition   UInt32,
    kafka_offset      UInt64,
    INDEX idx_run_id id TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree(kafka_offset)
PARTITION BY toYYYYMM(created_at)
ORDER BY (org_id, project_id, id)
