-- webhook_delivery_attempts: the notifier's delivery log for BI tools, one row per attempt made
-- (webhooks and Slack alerts), without the request body. 'pending' rows, the next attempt a series
-- schedules, are the notifier's queue rather than something that happened, and are left out.
CREATE VIEW IF NOT EXISTS {db:Identifier}.webhook_delivery_attempts AS
SELECT
    org_id, project_id, job_id, run_id, outcome, delivery_id, channel, endpoint,
    attempt, status, response_code, error, duration_ms, attempted_at, next_attempt_at
FROM ${database}.webhook_deliveries
WHERE status != 'pending'
