-- webhook_deliveries: the notifier's delivery log, one row per webhook attempt (never updated).
-- A delivery (delivery_id = the webhook-id header, one per run outcome and endpoint) is a series
-- of attempts 1..8; its latest attempt says where it stands: delivered, retrying (next_attempt_at
-- set), failed (last attempt spent or URL refused) or disabled (the receiver answered 410 Gone).
-- endpoint is the URL without credentials, query string or fragment. Kept 35 days.
CREATE TABLE IF NOT EXISTS {db:Identifier}.webhook_deliveries
(
    org_id           LowCardinality(String),
    project_id       String,
    job_id           String,
    run_id           String,
    outcome          LowCardinality(String),
    delivery_id      String,
    endpoint         String,
    attempt          UInt16,
    status           LowCardinality(String),
    response_code    UInt16,
    error            String,
    duration_ms      UInt32,
    attempted_at     DateTime64(3, 'UTC'),
    next_attempt_at  Nullable(DateTime64(3, 'UTC')),
    INDEX delivery_id_idx delivery_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(attempted_at)
ORDER BY (org_id, project_id, job_id, delivery_id, attempt)
TTL toDateTime(attempted_at) + INTERVAL 35 DAY
SETTINGS ttl_only_drop_parts = 1
