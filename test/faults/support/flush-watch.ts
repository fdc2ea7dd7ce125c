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
  /** Epoch ms the newest flush took its messages from the buffer (0 before the first). */
  flushStartedAt: number;
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
    const startedSeconds = series(text, 'runstream_materializer_last_flush_started_timestamp_seconds');
    if (buffered === undefined || flushes === undefined || messages === undefined || startedSeconds === undefined) return undefined;
    return { buffered, flushes, messages, flushStartedAt: Math.round(startedSeconds * 1000), sentAt };
  } catch {
    return undefined;
  }
}

/** Time a caller needs between learning when the next flush starts and that start, to sleep until just after it. */
const LEAD_MS = 100;

export interface FlushDue {
  /** A scrape after the previous flush's start showing the next buffer forming. */
  bufferSeen: Scrape;
  /** When its flush starts: its timer fires one flush interval after the previous flush's start. */
  dueBy: number;
}

/**
 * Scrapes every `everyMs` without waiting for answers (each takes a Kafka round trip to come
 * back, but its counters are read when it arrives) and tells when the next flush starts: a
 * buffer that forms after a flush started is flushed exactly one flush interval after that
 * start, which the materializer reports. `latestBefore()` is the newest answered scrape by send time.
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

  /**
   * Waits for a flush that started while watching, followed by a buffer forming, whose next
   * flush is still at least LEAD_MS away; undefined when none shows within `timeoutMs`.
   */
  async nextFlush(timeoutMs: number): Promise<FlushDue | undefined> {
    const from = Date.now();
    for (; Date.now() - from < timeoutMs; await sleep(5)) {
      const scrapes = this.ordered();
      const newest = scrapes.at(-1);
      if (!newest || newest.flushStartedAt < from) continue;
      const dueBy = newest.flushStartedAt + this.flushIntervalMs;
      const bufferSeen = scrapes.find((s) => s.flushStartedAt === newest.flushStartedAt && s.buffered > 0);
      if (bufferSeen && dueBy - Date.now() >= LEAD_MS) return { bufferSeen, dueBy };
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
