import { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { BatchSink, ConsumerMetrics, EventConsumer, IncomingMessage } from './event-log.port';

export interface BatchConsumerOptions {
  groupId: string;
  topic: string;
  /** A flush starts as soon as this many messages are buffered... */
  maxBatchSize: number;
  /** ...or this long after the first message of a flush arrived. */
  flushIntervalMs: number;
  /** Upper bound of bytes fetched and held in memory at once (all partitions). */
  maxBytesInFlight: number;
  /** Backoff between attempts when the sink fails (doubling, capped). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  fromBeginning?: boolean;
  onSinkError?: (error: Error, attempt: number) => void;
}

interface Pending {
  payload: EachBatchPayload;
  messages: IncomingMessage[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Kafka consumer that coalesces the batches of all its partitions into flushes.
 * Each partition's eachBatch waits until the flush holding its messages has been written
 * by the sink and its offsets committed, so offsets never run ahead of durable writes.
 * A failing sink is retried with backoff while heartbeats keep the group membership;
 * the partitions simply stop moving until the sink recovers.
 */
export class KafkajsBatchConsumer implements EventConsumer {
  private readonly consumer: Consumer;
  private pending: Pending[] = [];
  private bufferedCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushChain: Promise<void> = Promise.resolve();
  private stopping = false;
  private sink: BatchSink | undefined;
  private readonly stats: Omit<ConsumerMetrics, 'buffered'> = { flushes: 0, messages: 0, lastFlushSize: 0, lastFlushMs: 0, failedAttempts: 0 };

  constructor(private readonly kafka: Kafka, private readonly options: BatchConsumerOptions) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      maxBytes: options.maxBytesInFlight,
      maxBytesPerPartition: Math.max(64 * 1024, Math.floor(options.maxBytesInFlight / 4)),
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: Math.min(500, Math.max(10, options.flushIntervalMs)),
    });
  }

  async start(sink: BatchSink): Promise<void> {
    this.sink = sink;
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every partition's batch must be able to wait in the same flush.
      partitionsConsumedConcurrently: 1024,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.isEmpty()) return Promise.resolve();
    const messages: IncomingMessage[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key ? m.key.toString('utf8') : null,
      value: m.value,
    }));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ payload, messages, resolve, reject });
      this.bufferedCount += messages.length;
      if (this.bufferedCount >= this.options.maxBatchSize || this.stopping) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.options.flushIntervalMs);
    });
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const taken = this.pending;
    this.pending = [];
    this.bufferedCount = 0;
    // Flushes run one after another so a run's events are always written in log order.
    this.flushChain = this.flushChain.then(() => this.flush(taken));
  }

  private async flush(taken: Pending[]): Promise<void> {
    const messages = taken.flatMap((p) => p.messages);
    const started = Date.now();
    const heartbeats = setInterval(() => {
      for (const p of taken) p.payload.heartbeat().catch(() => undefined);
    }, 1_000);
    try {
      await this.writeWithRetry(messages);
      await commit(taken);
      for (const p of taken) p.payload.resolveOffset(p.payload.batch.lastOffset());
      this.stats.flushes += 1;
      this.stats.messages += messages.length;
      this.stats.lastFlushSize = messages.length;
      this.stats.lastFlushMs = Date.now() - started;
      for (const p of taken) p.resolve();
    } catch (error) {
      for (const p of taken) p.reject(error as Error);
    } finally {
      clearInterval(heartbeats);
    }
  }

  private async writeWithRetry(messages: IncomingMessage[]): Promise<void> {
    const sink = this.sink;
    if (!sink) throw new Error('consumer not started');
    let delay = this.options.retryInitialMs ?? 200;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await sink(messages);
        return;
      } catch (error) {
        this.stats.failedAttempts += 1;
        this.options.onSinkError?.(error as Error, attempt);
        // On shutdown give up: nothing was committed, so the next owner replays these.
        if (this.stopping) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, this.options.retryMaxMs ?? 10_000);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.flushNow();
    // kafkajs stop() stops fetching and waits for the running eachBatch calls,
    // which finish once their flush is written and committed.
    await this.consumer.stop();
    await this.flushChain.catch(() => undefined);
    await this.consumer.disconnect();
  }

  metrics(): ConsumerMetrics {
    return { ...this.stats, buffered: this.bufferedCount };
  }

  async lag(): Promise<{ partition: number; lag: number }[]> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(this.options.topic),
        admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.topic] }),
      ]);
      const committedByPartition = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
      return ends.map((end) => {
        const done = committedByPartition.get(end.partition) ?? -1;
        const high = Number(end.high);
        return { partition: end.partition, lag: done < 0 ? high - Number(end.low) : Math.max(0, high - done) };
      });
    } finally {
      await admin.disconnect();
    }
  }
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/**
 * Commits through the batch payload: consumer.commitOffsets() is a silent no-op once
 * kafkajs has begun stopping, which is exactly when the final flush commits.
 */
async function commit(taken: Pending[]): Promise<void> {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const { payload } of taken) {
    const partitions = byTopic.get(payload.batch.topic) ?? [];
    partitions.push({ partition: payload.batch.partition, offset: nextOffset(payload.batch.lastOffset()) });
    byTopic.set(payload.batch.topic, partitions);
  }
  const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  await taken[0].payload.commitOffsetsIfNecessary({ topics });
}
