-- runs: the argv an executor runs for a run the control plane started (a job's command, parsed
-- without a shell); empty for runs a runner reported itself.
ALTER TABLE {db:Identifier}.runs
    ADD COLUMN IF NOT EXISTS command_argv Array(String) AFTER target_gateway
