-- model_executions: every row version again, ordered by when each execution was first reported,
-- so a project's newest page is read in order and stops early instead of sorting every
-- execution of the project (created_at is kept from the first report, so all versions of an
-- execution sit together). The executions page reads it without FINAL and deduplicates the
-- versions it read (libs/clickhouse tables/execution-page.ts).
ALTER TABLE {db:Identifier}.model_executions
    ADD PROJECTION IF NOT EXISTS executions_by_created (SELECT * ORDER BY (org_id, project_id, created_at))
