-- run_events: a skip index on kafka_offset, so the change feed finds the event a cursor points
-- at without reading an organisation's whole history (offsets grow with insertion order).
ALTER TABLE {db:Identifier}.run_events
    ADD INDEX IF NOT EXISTS idx_kafka_offset kafka_offset TYPE minmax GRANULARITY 4
