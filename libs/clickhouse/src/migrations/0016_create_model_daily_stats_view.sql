-- model_daily_stats: model executions per project, model and day (UTC date of started_at)
-- with counts, duration avg / exact p50 / exact p95 / min / max and row and byte sums, for BI
-- tools. model_executions is ordered by (org_id, project_id, model_name), the rollup's key.
CREATE VIEW IF NOT EXISTS {db:Identifier}.model_daily_stats AS
SELECT
    org_id, project_id, model_name, toDate(started_at) AS day,
    count() AS total_executions,
    countIf(status = 'success') AS successful_executions,
    countIf(status IN ('failed', 'error')) AS failed_executions,
    avg(duration_seconds) AS avg_duration_seconds,
    quantileExactInclusive(0.5)(duration_seconds) AS p50_duration_seconds,
    quantileExactInclusive(0.95)(duration_seconds) AS p95_duration_seconds,
    min(duration_seconds) AS min_duration_seconds,
    max(duration_seconds) AS max_duration_seconds,
    sum(rows_processed) AS total_rows_processed,
    sum(bytes_processed) AS total_bytes_processed
FROM ${database}.model_executions FINAL
GROUP BY org_id, project_id, model_name, day
