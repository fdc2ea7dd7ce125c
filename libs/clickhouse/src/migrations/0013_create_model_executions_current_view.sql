-- model_executions_current: one row per model execution, its latest report, for BI tools.
CREATE VIEW IF NOT EXISTS {db:Identifier}.model_executions_current AS
SELECT * FROM ${database}.model_executions FINAL
