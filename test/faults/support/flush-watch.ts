import { setTimeout as sleep } from 'node:timers/promises';
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

/** A scrape: when it was sent (its collector runs then; the answer comes later, after a Kafka lag read). */
export interface Scrape extends FlushState {
  sentAt: number;
}

function series(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

async function scrape(metricsUrl: string): Promise<Scrape | undefined> {
  const sentAt = Date.now();
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return undefined;
    const text = await response.text();
    const buffered = series(text, 'runstream_materializer_buffered_messages');
    const flushes = series(text, 'runstream_materializer_flushes_total');
    const messages = series(text, 'runstream_materializer_messages_total');
    return buffered === undefined || flushes === undefined || messages === undefined ? undefined : { buffered, flushes, messages, sentAt };
  } catch {
    return undefined;
  }
}

export interface FlushDue {
  /** The scrape that first showed the new buffer (the one before it showed none). */
  bufferSeen: Scrape;
  /** When its flush starts at the latest: the buffer's first message + the flush interval. */
  dueBy: number;
}

/**
 * Scrapes every `everyMs` without waiting for answers (each takes a Kafka round trip to come
 * back, but its counters are read when it arrives) and tells when the next flush starts: the
 * consumer starts a flush `flushIntervalMs` after the first message of an empty buffer arrives,
 * so a buffer seen between two scrapes is flushed at most `flushIntervalMs` after the later one
 * was sent. `latest()` is the newest answered scrape by send time.
 */
export class FlushWatch {
  private readonly scrapes: Scrape[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly metricsUrl: string,
    private readonly flushIntervalMs: number,
    everyMs = 40,
  ) {
    this.loop = (async () => {
      const pending: Promise<void>[] = [];
      while (this.running) {
        pending.push(scrape(metricsUrl).then((s) => void (s && this.scrapes.push(s))));
        await sleep(everyMs);
      }
      await Promise.all(pending);
    })();
  }

  private ordered(): Scrape[] {
    return [...this.scrapes].sort((a, b) => a.sentAt - b.sentAt);
  }

  /** Waits until a scrape shows a buffer the scrape sent just before it did not have. */
  async nextFlush(timeoutMs: number): Promise<FlushDue | undefined> {
    const from = Date.now();
    for (; Date.now() - from < timeoutMs; await sleep(5)) {
      const scrapes = this.ordered().filter((s) => s.sentAt >= from);
      for (let i = 1; i < scrapes.length; i += 1) {
        const [before, seen] = [scrapes[i - 1], scrapes[i]];
        if (before.buffered === 0 && seen.buffered > 0 && seen.sentAt - before.sentAt < 80)
          return { bufferSeen: seen, dueBy: seen.sentAt + this.flushIntervalMs };
      }
    }
    return undefined;
  }

  /** The newest answered scrape sent before `time`. */
  latestBefore(time: number): Scrape | undefined {
    return this.ordered()
      .filter((s) => s.sentAt < time)
      .pop();
  }

  async close(): Promise<void> {
    this.running = false;
    await this.loop;
  }
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
