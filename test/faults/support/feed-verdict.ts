import { entityKey, Delivery, EntityState, pickState } from './feed-follower';
import { occurrences, WriteRecord } from './ledger';

export interface FeedVerdict {
  entities: number;
  deliveries: number;
  /** Entities whose current state (the read API's) the follower does not hold: absent, or another state. */
  missed: string[];
  /** The same entity at the same log position delivered again: the feed's exactly-once broken. */
  redelivered: string[];
  /** An entity delivered again in a state it was already delivered in, at a new position, with no write in doubt to explain it. */
  repeatedStates: string[];
  /** The same, for entities with a write that may have landed twice (reported, allowed). */
  repeatedStatesInDoubt: number;
  /** Entities whose deliveries did not come in increasing log order. */
  outOfOrder: string[];
}

/** Entity keys touched by a write that may have landed more often than it was acknowledged. */
function entitiesInDoubt(records: readonly WriteRecord[]): Set<string> {
  const keys = new Set<string>();
  for (const record of records) {
    const [, max] = occurrences(record);
    if (max <= 1) continue;
    if (record.runId) keys.add(entityKey('run', record.runId));
    for (const execution of record.executions ?? []) keys.add(entityKey('model_execution', execution.id));
  }
  return keys;
}

/**
 * Judges what a change-feed follower received against the truth (the read API's current
 * states, themselves checked against the ledger by verify()): every entity held in its current
 * state, nothing delivered twice. A write in doubt (its attempt unanswered, or retried across the
 * restart) may have appended two events, so its entity may legitimately be delivered once more.
 */
export function judgeFeed(
  deliveries: readonly Delivery[],
  held: ReadonlyMap<string, EntityState>,
  truth: ReadonlyMap<string, EntityState>,
  records: readonly WriteRecord[],
): FeedVerdict {
  const missed = [...truth].filter(([key, state]) => JSON.stringify(held.get(key)) !== JSON.stringify(pickState(state))).map(([key]) => key);
  const doubtful = entitiesInDoubt(records);
  const positions = new Set<string>();
  const states = new Set<string>();
  const order = new Map<string, number[]>();
  const redelivered: string[] = [];
  const repeatedStates: string[] = [];
  let repeatedStatesInDoubt = 0;
  for (const d of deliveries) {
    const at = `${d.key}@${d.position}`;
    if (positions.has(at)) redelivered.push(at);
    else if (states.has(`${d.key}/${d.state}`)) {
      if (doubtful.has(d.key)) repeatedStatesInDoubt += 1;
      else repeatedStates.push(at);
    }
    positions.add(at);
    states.add(`${d.key}/${d.state}`);
    const [partition, offset] = d.position.split(':').map(Number);
    // Positions of one entity share a partition (its run's); the offset orders them.
    order.set(`${d.key}#${partition}`, [...(order.get(`${d.key}#${partition}`) ?? []), offset]);
  }
  const outOfOrder = [...order].filter(([, offsets]) => offsets.some((offset, i) => i > 0 && offset <= offsets[i - 1])).map(([key]) => key);
  return { entities: truth.size, deliveries: deliveries.length, missed, redelivered, repeatedStates, repeatedStatesInDoubt, outOfOrder };
}
