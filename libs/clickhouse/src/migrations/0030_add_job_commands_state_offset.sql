-- job_commands.state_offset: the project's job state a decision was made on, as the Kafka offset
-- of its newest job row (the decision's own change included), NULL when the project had none.
-- The jobs fold now writes a flush's decisions before its job rows (a replay then folds again on
-- the rows as they were before the flush), so a handler waits for the project's rows to reach
-- this offset before it answers: whatever it then reads is at least what the decision saw.
ALTER TABLE {db:Identifier}.job_commands ADD COLUMN IF NOT EXISTS state_offset Nullable(UInt64)
