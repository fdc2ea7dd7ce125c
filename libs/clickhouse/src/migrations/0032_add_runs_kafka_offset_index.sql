-- runs: a skip index on kafka_offset, so a change-feed page near the log's head reads the runs
-- written since its cursor instead of the organisation's whole history (ids, and so the order
-- within a project, follow creation time, and a run's offset follows its last event).
ALTER TABLE {db:Identifier}.runs
    ADD INDEX IF NOT EXISTS idx_kafka_offset kafka_offset TYPE minmax GRANULARITY 1
