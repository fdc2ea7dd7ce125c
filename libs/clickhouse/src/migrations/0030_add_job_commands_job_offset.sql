-- job_commands.job_offset: the Kafka offset of the command's event when its decision changed the
-- job's row, 0 when it changed nothing. The jobs fold now writes a flush's decisions before its
-- job rows (a replay then folds again on the rows as they were before the flush), so a handler
-- that sees an applied decision waits for the job's row to reach this offset before it answers.
ALTER TABLE {db:Identifier}.job_commands ADD COLUMN IF NOT EXISTS job_offset UInt64 DEFAULT 0
