-- run_telemetry_samples: telemetry time series, at most 2,000 points per run, kept like the
-- log: sample `seq` in slot seq % 2000, newest 2,000 kept, generation bumped by a replace.
-- values: measurement name -> number (rowsLoaded, bytesLoaded, progress, ...).
CREATE TABLE IF NOT EXISTS {db:Identifier}.run_telemetry_samples
(
    org_id      LowCardinality(String),
    project_id  String,
    run_id      String,
    slot        UInt16,
    generation  UInt32,
    seq         UInt64,
    at          DateTime64(3, 'UTC'),
    values      Map(LowCardinality(String), Float64),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (org_id, project_id, run_id, slot)
