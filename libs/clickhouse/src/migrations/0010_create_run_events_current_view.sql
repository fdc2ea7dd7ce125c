-- run_events_current: every event once (run_events with FINAL), for BI tools.
CREATE VIEW IF NOT EXISTS {db:Identifier}.run_events_current AS
SELECT * FROM ${database}.run_events FINAL
