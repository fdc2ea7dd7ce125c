-- webhook_deliveries: Slack alerts share the log (channel), a delivery remembers the runs.events.v1
-- partition its outcome came from (the notifier instance that owns that partition is the one that
-- sends it), and a 'pending' row (the attempt it schedules, due at next_attempt_at) opens every
-- series and carries the exact body every attempt sends.
ALTER TABLE {db:Identifier}.webhook_deliveries
    ADD COLUMN IF NOT EXISTS channel LowCardinality(String) DEFAULT 'webhook' AFTER delivery_id,
    ADD COLUMN IF NOT EXISTS kafka_partition UInt16 DEFAULT 0 AFTER channel,
    ADD COLUMN IF NOT EXISTS body String DEFAULT '' CODEC(ZSTD(3))
