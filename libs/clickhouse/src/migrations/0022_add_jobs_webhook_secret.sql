-- jobs: the job's Standard Webhooks signing secret (whsec_...), and the secret it replaced at the
-- last rotation with the time that one stops signing. Secrets: view jobs_current lists its
-- columns by name and leaves these out. Empty for jobs created before webhook signing.
ALTER TABLE {db:Identifier}.jobs
    ADD COLUMN IF NOT EXISTS webhook_secret String DEFAULT '' AFTER webhook_enabled,
    ADD COLUMN IF NOT EXISTS webhook_previous_secret String DEFAULT '' AFTER webhook_secret,
    ADD COLUMN IF NOT EXISTS webhook_previous_secret_expires_at Nullable(DateTime64(3, 'UTC')) AFTER webhook_previous_secret
