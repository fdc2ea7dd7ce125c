import { Kafka, logLevel } from 'kafkajs';

/** What the materializer's /metrics says about its consumer, all read in one tick of the collector. */
export interface FlushState {
  /** Fetched, waiting for their flush to start. */
  buffered: number;
  /** Flushes written and committed by this process. */
  flushes: number;
  /** Messages written and committed by this process. */
  messages: number;
}

function series(text: string, name: string): number | undefined {
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm');
  const match = pattern.exec(text);
  return match ? Number(match[1]) : undefined;
}

export async function flushState(metricsUrl: string): Promise<FlushState | undefined> {
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return undefined;
    const text = await response.text();
    const buffered = series(text, 'runstream_materializer_buffered_messages');
    const flushes = series(text, 'runstream_materializer_flushes_total');
    const messages = series(text, 'runstream_materializer_messages_total');
    return buffered === undefined || flushes === undefined || messages === undefined ? undefined : { buffered, flushes, messages };
  } catch {
    return undefined;
  }
}

/**
 * Resolves at the first scrape that shows a flush taken and not committed: the buffer emptied
 * (the consumer handed its messages to the sink) while the count of committed flushes stayed the
 * same. Scrapes back to back; undefined if none is seen within the timeout.
 */
export async function flushTaken(metricsUrl: string, timeoutMs: number): Promise<FlushState | undefined> {
  const giveUpAt = Date.now() + timeoutMs;
  let before = await flushState(metricsUrl);
  while (Date.now() < giveUpAt) {
    const at = await flushState(metricsUrl);
    if (before && at && before.buffered > 0 && at.buffered === 0 && at.flushes === before.flushes) return at;
    before = at;
  }
  return undefined;
}

/** The consumer group's committed offsets on `topic`, summed over its partitions (0 where none). */
export async function committedMessages(brokers: string, groupId: string, topic: string): Promise<number> {
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}
