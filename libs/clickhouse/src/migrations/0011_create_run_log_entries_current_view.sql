-- run_log_entries_current: each run's current log (at most 500 newest lines of the current
-- generation), for BI tools. Order by seq for reading order.
CREATE VIEW IF NOT EXISTS {db:Identifier}.run_log_entries_current AS
SELECT l.org_id AS org_id, l.project_id AS project_id, l.run_id AS run_id, l.seq AS seq, l.at AS at, l.level AS level, l.message AS message
FROM ${database}.run_log_entries AS l FINAL
INNER JOIN (SELECT org_id, project_id, id, log_generation FROM ${database}.runs FINAL) AS r
    ON l.org_id = r.org_id AND l.project_id = r.project_id AND l.run_id = r.id AND l.generation = r.log_generation
