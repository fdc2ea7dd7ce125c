-- model_executions: a skip index on version (offset × 10000 + index), so a change-feed page near
-- the log's head skips the granules holding no execution written since its cursor.
ALTER TABLE {db:Identifier}.model_executions
    ADD INDEX IF NOT EXISTS idx_version version TYPE minmax GRANULARITY 1
