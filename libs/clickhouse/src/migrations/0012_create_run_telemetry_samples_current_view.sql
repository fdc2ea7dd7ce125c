-- run_telemetry_samples_current: each run's current samples (at most 2,000 newest of the
-- current generation), for BI tools. Order by seq for time-series order.
CREATE VIEW IF NOT EXISTS {db:Identifier}.run_telemetry_samples_current AS
SELECT s.org_id AS org_id, s.project_id AS project_id, s.run_id AS run_id, s.seq AS seq, s.at AS at, s.values AS values
FROM ${database}.run_telemetry_samples AS s FINAL
INNER JOIN (SELECT org_id, project_id, id, sample_generation FROM ${database}.runs FINAL) AS r
    ON s.org_id = r.org_id AND s.project_id = r.project_id AND s.run_id = r.id AND s.generation = r.sample_generation
