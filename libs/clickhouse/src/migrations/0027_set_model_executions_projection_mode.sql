-- model_executions: a ReplacingMergeTree keeps a projection only if its merges rebuild it from
-- the merged rows (ClickHouse refuses ADD PROJECTION otherwise), so 0028's projection holds
-- exactly the versions the table's parts hold.
ALTER TABLE {db:Identifier}.model_executions
    MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild'
