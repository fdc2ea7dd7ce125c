-- job_commands: the jobs fold's decision on each command (job.created / updated / deleted),
-- which the HTTP handler that appended it waits for: outcome 'applied', 'conflict' (the name is
-- taken in the project) or 'not_found' (unknown or deleted job). Kept 7 days.
CREATE TABLE IF NOT EXISTS {db:Identifier}.job_commands
(
    org_id      LowCardinality(String),
    project_id  String,
    request_id  String,
    job_id      String,
    outcome     LowCardinality(String),
    reason      String,
    decided_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (org_id, project_id, request_id)
TTL toDateTime(decided_at) + INTERVAL 7 DAY
