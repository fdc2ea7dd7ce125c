-- jobs: latest state of each job definition, one row per (org_id, project_id, id) after merges.
-- Written by the control app's jobs fold, the single writer of jobs.events.v1; the row with the
-- highest kafka_offset (the last command folded into it) wins. Read with FINAL. A deleted job
-- keeps its row with deleted = 1. resources, environment and webhook_headers are JSON objects;
-- environment and webhook_headers hold secrets (view jobs_current leaves their values out).
CREATE TABLE IF NOT EXISTS {db:Identifier}.jobs
(
    org_id                  LowCardinality(String),
    project_id              String,
    id                      String,
    name                    String,
    description             String,
    command                 String,
    schedule                String,
    timezone                LowCardinality(String),
    enabled                 UInt8,
    resources               String,
    environment             String,
    slack_channel           String,
    slack_alerts_enabled    UInt8,
    slack_alert_on_success  UInt8,
    webhook_url             String,
    webhook_headers         String,
    webhook_events          Array(String),
    webhook_enabled         UInt8,
    deleted                 UInt8,
    created_at              DateTime64(3, 'UTC'),
    updated_at              DateTime64(3, 'UTC'),
    last_request_id         String,
    kafka_partition         UInt32,
    kafka_offset            UInt64
)
ENGINE = ReplacingMergeTree(kafka_offset)
ORDER BY (org_id, project_id, id)
