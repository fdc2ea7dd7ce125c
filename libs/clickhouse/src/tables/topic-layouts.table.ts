import { z } from 'zod';
import { column } from '../columns';
import { ClickHouseStore } from '../store';
import { toChDateTime } from '../time';

/** A topic's partition count changed under read models folded by offset within a partition. */
export class PartitionCountChangedError extends Error {
  override readonly name = 'PartitionCountChangedError';

  constructor(topic: string, recorded: number, current: number) {
    super(
      `${topic} has ${current} partitions, but its read models were folded under ${recorded}: an entity's later events would ` +
        `land in another partition and be ordered wrongly. Nothing is folded under the new count (docs/scaling.md, "Knobs").`,
    );
  }
}

/** The partition count recorded for `topic` (its newest record), undefined before the first. */
export async function selectTopicPartitions(store: ClickHouseStore, topic: string): Promise<number | undefined> {
  const rows = await store.query(
    z.object({ partitions: column.int }),
    'SELECT partitions FROM {db:Identifier}.topic_layouts WHERE topic = {topic:String} ORDER BY recorded_at DESC LIMIT 1',
    { topic },
  );
  return rows.length === 0 ? undefined : rows[0].partitions;
}

export function insertTopicPartitions(store: ClickHouseStore, topic: string, partitions: number): Promise<void> {
  return store.insert('topic_layouts', [{ topic, partitions, recorded_at: toChDateTime(new Date()) }]);
}

/**
 * Before a fold starts: records the topic's partition count the first time, and refuses
 * (PartitionCountChangedError) a count other than the recorded one. Answers the count.
 */
export async function checkTopicPartitions(store: ClickHouseStore, topic: string, partitions: number | undefined): Promise<number> {
  if (partitions === undefined || partitions < 1) throw new Error(`${topic}: the cluster gave no partition count for it`);
  const recorded = await selectTopicPartitions(store, topic);
  if (recorded === undefined) await insertTopicPartitions(store, topic, partitions);
  else if (recorded !== partitions) throw new PartitionCountChangedError(topic, recorded, partitions);
  return partitions;
}
