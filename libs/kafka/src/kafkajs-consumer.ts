import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { FlushMembership, isMembershipChange, PartitionsAddedError, RetriesExhaustedError } from './consumer-errors';
import { ConsumerLag, PartitionLag } from './consumer-lag';
import { BatchConsumerOptions } from './batch-consumer-options';
import { BatchSink, ConsumerMetrics, ConsumerState, EventConsumer, IncomingMessage } from './event-log.port';

export { BatchConsumerOptions } from './batch-consumer-options';

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
 * A failing sink is retried with backoff while heartbeats keep the group membership, for at
 * most maxRetryMs; then the consumer fails for good (onFatal) rather than sit idle.
 */
export class KafkajsBatchConsumer implements EventConsumer {
  private readonly consumer: Consumer;
  private pending: Pending[] = [];
  private bufferedCount = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The interval's origin: the newest flush's start, or the consumer's before the first. */
  private lastFlushStarted = 0;
  private flushChain: Promise<void> = Promise.resolve();
  private stopping = false;
  private sink: BatchSink | undefined;
  private readonly stats: Omit<ConsumerMetrics, 'buffered'> = {
    flushes: 0,
    messages: 0,
    lastFlushSize: 0,
    lastFlushMs: 0,
    lastFlushStartedAt: 0,
    failedAttempts: 0,
  };
  private current: ConsumerState = { status: 'starting' };
  /** Batches of flushes that will never be written (after a failure), released on stop. */
  private held: Pending[] = [];
  private wakeUp: (() => void) | undefined;
  private readonly lagReader: ConsumerLag;

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.lagReader = new ConsumerLag(kafka, options.groupId, options.topic);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      maxBytes: options.maxBytesInFlight,
      maxBytesPerPartition: Math.max(64 * 1024, Math.floor(options.maxBytesInFlight / 4)),
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
      maxWaitTimeInMs: Math.min(500, Math.max(10, options.flushIntervalMs)),
    });
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      const assigned = [...(payload.memberAssignment[options.topic] ?? [])].sort((a, b) => a - b);
      const count = options.partitionCount?.();
      const beyond = count === undefined ? undefined : assigned.find((partition) => partition >= count);
      if (beyond !== undefined) return this.fail(new PartitionsAddedError(options.topic, count!, beyond));
      this.options.onAssignment?.(assigned);
      // kafkajs rejoins only once every eachBatch has returned, so a flush that was retrying has ended too (membership change).
      if (this.current.status !== 'failed' && this.current.status !== 'stopped') this.current = { status: 'running' };
    });
    // kafkajs restarts after a retriable crash by itself; after any other it stays down, and so
    // would this member: giving up (a new process rejoins the group) beats holding partitions.
    this.consumer.on(CRASH, ({ payload }) => {
      if (this.stopping || this.current.status === 'failed') return;
      if (!payload.restart) return this.fail(new Error(`Kafka consumer crashed and will not restart: ${payload.error.message}`));
      // While it first joins, a fresh broker's group coordinator and connections settle with a
      // restart or two; after that, a restart is worth a line (health shows it either way).
      if (this.current.status === 'running') {
        process.stderr.write(`[kafkajs] consumer of ${options.topic} (group ${options.groupId}) restarting after: ${payload.error.message}\n`);
      }
      this.current = { status: 'restarting', failingSince: this.current.failingSince ?? Date.now(), lastError: payload.error.message };
    });
  }

  async start(sink: BatchSink): Promise<void> {
    this.sink = sink;
    this.lastFlushStarted = Date.now();
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
      else this.timer ??= setTimeout(() => this.flushNow(), this.flushDelay());
    });
  }

  /**
   * At least 1 ms, so the other partitions' batches of the same fetch join the flush; at most
   * the interval, counted from the previous flush's start.
   */
  private flushDelay(): number {
    return Math.max(1, this.lastFlushStarted + this.options.flushIntervalMs - Date.now());
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const taken = this.pending;
    this.pending = [];
    this.bufferedCount = 0;
    this.lastFlushStarted = Date.now();
    this.stats.lastFlushStartedAt = this.lastFlushStarted;
    // Flushes run one after another so a run's events are always written in log order.
    this.flushChain = this.flushChain.then(() => this.flush(taken));
  }

  private async flush(taken: Pending[]): Promise<void> {
    if (this.current.status === 'failed') return this.hold(taken);
    const messages = taken.flatMap((p) => p.messages);
    const started = Date.now();
    const membership: FlushMembership = {};
    const heartbeats = setInterval(() => {
      for (const p of taken) p.payload.heartbeat().catch((error: unknown) => this.noticeMembership(membership, error));
    }, 1_000);
    try {
      await this.writeWithRetry(messages, membership);
      await commit(taken).catch((error: unknown) => {
        this.noticeMembership(membership, error);
        throw error;
      });
      for (const p of taken) p.payload.resolveOffset(p.payload.batch.lastOffset());
      this.stats.flushes += 1;
      this.stats.messages += messages.length;
      this.stats.lastFlushSize = messages.length;
      this.stats.lastFlushMs = Date.now() - started;
      for (const p of taken) p.resolve();
    } catch (error) {
      if (error instanceof RetriesExhaustedError) {
        this.fail(error);
        this.hold(taken);
      } else {
        for (const p of taken) p.reject(error as Error);
      }
    } finally {
      clearInterval(heartbeats);
    }
  }

  /**
   * A heartbeat or commit refused because the group moves on: the partitions are not this
   * member's to act on until it rejoins, and a retrying flush stops (its commit would be refused).
   */
  private noticeMembership(membership: FlushMembership, error: unknown): void {
    if (!isMembershipChange(error) || membership.change) return;
    membership.change = error;
    this.options.onRevoked?.(`${error.type}: ${error.message}`);
    this.wakeUp?.();
  }

  /** No retry, no commit: the batches wait (kafkajs makes no progress on them) until stop(). */
  private hold(taken: Pending[]): void {
    if (this.stopping) for (const p of taken) p.reject(new Error('consumer failed'));
    else this.held.push(...taken);
  }

  private fail(error: Error): void {
    if (this.current.status === 'failed') return;
    this.current = { status: 'failed', failingSince: this.current.failingSince ?? Date.now(), lastError: error.message };
    this.options.onFatal?.(error);
  }

  private async writeWithRetry(messages: IncomingMessage[], membership: FlushMembership): Promise<void> {
    const sink = this.sink;
    if (!sink) throw new Error('consumer not started');
    const budget = this.options.maxRetryMs ?? 300_000;
    const started = Date.now();
    let delay = this.options.retryInitialMs ?? 200;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await sink(messages);
        if (this.current.status === 'retrying') this.current = { status: 'running' };
        return;
      } catch (error) {
        this.stats.failedAttempts += 1;
        const failingSince = this.current.failingSince ?? Date.now();
        this.current = { status: 'retrying', failingSince, lastError: (error as Error).message };
        this.options.onSinkError?.(error as Error, attempt);
        // On shutdown give up: nothing was committed, so the next owner replays these.
        if (this.stopping) throw error;
        // The group moved on: kafkajs rejoins on this error and the owner then replays these.
        if (membership.change) throw membership.change;
        const elapsed = Date.now() - started;
        if (elapsed >= budget) throw new RetriesExhaustedError(attempt, elapsed, error as Error);
        // Equal jitter: members that failed together do not retry in lockstep.
        await this.sleep(Math.min(delay / 2 + (Math.random() * delay) / 2, budget - elapsed));
        if (membership.change) throw membership.change;
        delay = Math.min(delay * 2, this.options.retryMaxMs ?? 10_000);
      }
    }
  }

  /** A backoff wait that stop() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    this.flushNow();
    for (const p of this.held.splice(0)) p.reject(new Error('consumer failed'));
    // kafkajs stop() stops fetching and waits for the running eachBatch calls,
    // which finish once their flush is written and committed.
    await this.consumer.stop();
    await this.flushChain.catch(() => undefined);
    await this.consumer.disconnect();
    await this.lagReader.close().catch(() => undefined);
    if (this.current.status !== 'failed') this.current = { status: 'stopped' };
  }

  metrics(): ConsumerMetrics {
    return { ...this.stats, buffered: this.bufferedCount };
  }

  state(): ConsumerState {
    return { ...this.current };
  }

  lag(): Promise<PartitionLag[]> {
    return this.lagReader.read();
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
