import { jsonObjectOf } from '@runstream/clickhouse';
import { MAX_TELEMETRY_SUMMARY_KEYS, TelemetrySummary } from '@runstream/events';

/** How a run's telemetry summary and its log and sample rings take a PATCH (the fold's row building, apart from its rules). */

/**
 * Shallow-merges a PATCH's summary into the run's, holding at most MAX_TELEMETRY_SUMMARY_KEYS
 * keys: keys the run has are always updated; new keys are admitted in the order the PATCH lists
 * them (the order of the event's JSON, so every replay admits the same ones) while room is
 * left, and the rest are dropped. A Map keeps the merge free of prototype effects.
 */
export function mergeSummary(current: string, patch: TelemetrySummary): string {
  const merged = new Map(Object.entries(jsonObjectOf(current)));
  for (const [key, value] of Object.entries(patch)) {
    if (merged.has(key) || merged.size < MAX_TELEMETRY_SUMMARY_KEYS) merged.set(key, value);
  }
  return JSON.stringify(Object.fromEntries(merged));
}

/**
 * A ring of `cap` slots per run: item `seq` of a generation lives in slot seq % cap, so
 * appending past the cap overwrites the oldest and the newest `cap` items are kept.
 * A replace starts a new generation holding (the newest `cap` of) the given items.
 * Returns the ring's new generation and count, and pushes one row per kept item to `rows`;
 * `index` is the item's place among this PATCH's items (its version's).
 */
export function ringWrite<T, R>(
  ring: { generation: number; count: number; cap: number },
  replace: T[] | undefined,
  append: T | undefined,
  rows: R[],
  toRow: (item: T, slot: number, generation: number, seq: number, index: number) => R,
): { generation: number; count: number } {
  let { generation, count } = ring;
  const items: T[] = [];
  if (replace) {
    generation += 1;
    const kept = replace.slice(-ring.cap);
    count = replace.length - kept.length;
    items.push(...kept);
  }
  if (append !== undefined) items.push(append);
  items.forEach((item, index) => {
    rows.push(toRow(item, count % ring.cap, generation, count, index));
    count += 1;
  });
  return { generation, count };
}
