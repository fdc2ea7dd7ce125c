-- run_events: every event exactly as received from runs.events.v1, the audit log inside
-- ClickHouse. Replays insert the same rows again; ReplacingMergeTree collapses them on
-- the sorting key, which includes event_id. Read with FINAL (or the run_events_current view).
CREATE TABLE IF NOT EXISTS {db:Identifier}.run_events
(
    event_id        UUID,
    type            LowCardinality(String),
    schema_version  UInt16,
    org_id          LowCardinality(String),
    project_id      String,
    run_id          String,
    occurred_at     DateTime64(3, 'UTC'),
    actor           String,
    payload         String CODEC(ZSTD(3)),
    kafka_partition UInt32,
    kafka_offset    UInt64
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (org_id, project_id, run_id, occurred_at, event_id)
