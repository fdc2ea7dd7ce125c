-- topic_layouts: the partition count a topic's read models are folded under. The folds order a
-- run's (or a job's) events by offset within its one partition, so the count must never change
-- once events exist; the materializer and the jobs fold record it on first start and refuse to
-- fold under another count (docs/scaling.md, "Knobs"). The newest row of a topic counts; a
-- rebuild records the count it replayed under.
CREATE TABLE IF NOT EXISTS {db:Identifier}.topic_layouts
(
    topic       String,
    partitions  UInt32,
    recorded_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (topic, recorded_at)
