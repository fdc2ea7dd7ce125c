-- job_commands.job_offset: the Kafka offset of the command's event when its decision changed the
-- job's row (the row's version once written), NULL when it changed nothing. The jobs fold now
-- writes a flush's decisions before its job rows (a replay then folds again on the rows as they
-- were before the flush), so a handler that sees an applied decision with an offset waits for the
-- job's row to reach it before it answers.
ALTER TABLE {db:Identifier}.job_commands ADD COLUMN IF NOT EXISTS job_offset Nullable(UInt64)
