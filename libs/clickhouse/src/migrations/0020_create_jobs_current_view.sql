-- jobs_current: one row per live (not deleted) job, its latest state, for BI tools. Secrets stay
-- out: environment and webhook_headers are given as the list of their keys only, and the webhook
-- URL (which may carry a token in its path or query) as its host only.
CREATE VIEW IF NOT EXISTS {db:Identifier}.jobs_current AS
SELECT
    org_id, project_id, id, name, description, command, schedule, timezone,
    enabled, resources,
    arraySort(JSONExtractKeys(environment)) AS environment_keys,
    slack_channel, slack_alerts_enabled, slack_alert_on_success,
    domain(webhook_url) AS webhook_host,
    arraySort(JSONExtractKeys(webhook_headers)) AS webhook_header_names,
    webhook_events, webhook_enabled,
    created_at, updated_at
FROM ${database}.jobs FINAL
WHERE deleted = 0
