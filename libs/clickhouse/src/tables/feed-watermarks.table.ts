import { z } from 'zod';
import { column } from '../columns';
import { ClickHouseStore } from '../store';

export const FEED_WATERMARKS_TABLE = 'feed_watermarks';

/** A row of `feed_watermarks` (migration 0024): rows of this partition below next_offset are all written. */
export const FeedWatermarkRowSchema = z.object({
  kafka_partition: column.int,
  /** UInt64 as decimal text. */
  next_offset: column.uint64,
});
export type FeedWatermarkRow = z.infer<typeof FeedWatermarkRowSchema>;

/** Per partition, one past the highest offset among these messages. */
export function watermarksOf(positions: readonly { partition: number; offset: string }[]): FeedWatermarkRow[] {
  const next = new Map<number, bigint>();
  for (const { partition, offset } of positions) {
    const after = BigInt(offset) + 1n;
    if (after > (next.get(partition) ?? 0n)) next.set(partition, after);
  }
  return [...next].map(([kafka_partition, offset]) => ({ kafka_partition, next_offset: offset.toString() }));
}

export function insertFeedWatermarks(store: ClickHouseStore, rows: readonly FeedWatermarkRow[]): Promise<void> {
  return store.insert(FEED_WATERMARKS_TABLE, rows);
}

/** Per partition, the offset below which the read models are complete (absent partitions: nothing yet). */
export async function selectFeedWatermarks(store: ClickHouseStore): Promise<Map<number, bigint>> {
  const rows = await store.query(
    FeedWatermarkRowSchema,
    `SELECT kafka_partition, toString(max(next_offset)) AS next_offset FROM {db:Identifier}.feed_watermarks GROUP BY kafka_partition`,
  );
  return new Map(rows.map((row) => [row.kafka_partition, BigInt(row.next_offset)]));
}
