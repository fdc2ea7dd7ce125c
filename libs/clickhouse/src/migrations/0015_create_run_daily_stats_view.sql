-- run_daily_stats: runs per project, cronjob and day with counts by status and duration
-- avg / exact p95 (percentile_cont semantics) / max, for BI tools.
CREATE VIEW IF NOT EXISTS {db:Identifier}.run_daily_stats AS
SELECT
    org_id, project_id, day, cronjob_name,
    count() AS total_runs,
    countIf(status = 'success') AS success_count,
    countIf(status = 'partial') AS partial_count,
    countIf(status = 'failed') AS failed_count,
    countIf(status NOT IN ('success', 'partial', 'failed')) AS other_count,
    avg(duration_seconds) AS avg_duration_seconds,
    quantileExactInclusive(0.95)(duration_seconds) AS p95_duration_seconds,
    max(duration_seconds) AS max_duration_seconds
FROM ${database}.run_daily FINAL
GROUP BY org_id, project_id, day, cronjob_name
