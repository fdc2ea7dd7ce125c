-- jobs.schedule_since: since when the job's schedule stands, its creation or its last change of
-- schedule, timezone or enabled. The scheduler fires no tick before it. Until this column it used
-- updated_at, which every edit moves (a description, a rotated secret, a webhook turned off by a
-- 410), so an unrelated edit cancelled a tick still being retried or caught up. NULL in rows
-- written before: the scheduler then falls back to updated_at.
ALTER TABLE {db:Identifier}.jobs ADD COLUMN IF NOT EXISTS schedule_since Nullable(DateTime64(3, 'UTC')) AFTER updated_at
