-- runs: where the run's log and telemetry samples stand. A replace (logEntries /
-- telemetrySamples) starts a new generation; *_count is how many lines or samples the current
-- generation has had appended, so the newest `cap` of them are the ones kept.
ALTER TABLE {db:Identifier}.runs
    ADD COLUMN IF NOT EXISTS log_generation UInt32 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS log_count UInt64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS sample_generation UInt32 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS sample_count UInt64 DEFAULT 0
