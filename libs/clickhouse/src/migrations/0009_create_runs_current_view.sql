-- runs_current: one row per run, its latest state (runs with FINAL), for BI tools.
CREATE VIEW IF NOT EXISTS {db:Identifier}.runs_current AS
SELECT * FROM ${database}.runs FINAL
