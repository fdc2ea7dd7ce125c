import { ClickHouseStore } from '../store';
import { toChDateTime } from '../time';

/** A topic's partition count changed under read models folded by offset within a partition. */
export class PartitionCountChangedError extends Error {
  override readonly name = 'PartitionCountChangedError';

  constructor(topic: string, recorded: number, current: number) {
    super(
      `${topic} has ${current} partitions, but its read models were folded under ${recorded}: a run's later events would land ` +
        `in another partition and be ordered wrongly (docs/scaling.md, "Knobs"). Nothing is folded until the topic has ` +
        `${recorded} partitions again, or the read models are rebuilt from a topic whose events never moved (npm run rebuild).`,
    );
  }
}

/** The partition count recorded for `topic` (its newest record), undefined before the first. */
export async function selectTopicPartitions(store: ClickHouseStore, topic: string): Promise<number | undefined> {
  const rows = await store.query<{ partitions: number | string }>(
    'SELECT partitions FROM {db:Identifier}.topic_layouts WHERE topic = {topic:String} ORDER BY recorded_at DESC LIMIT 1',
    { topic },
  );
  return rows.length === 0 ? undefined : Number(rows[0].partitions);
}

export function insertTopicPartitions(store: ClickHouseStore, topic: string, partitions: number): Promise<void> {
  return store.insert('topic_layouts', [{ topic, partitions, recorded_at: toChDateTime(new Date()) }]);
}

/**
 * Before a fold starts: records the topic's partition count the first time, and refuses
 * (PartitionCountChangedError) a count other than the recorded one.
 */
export async function checkTopicPartitions(store: ClickHouseStore, topic: string, partitions: number): Promise<void> {
  const recorded = await selectTopicPartitions(store, topic);
  if (recorded === undefined) return insertTopicPartitions(store, topic, partitions);
  if (recorded !== partitions) throw new PartitionCountChangedError(topic, recorded, partitions);
}
