/** The small port between Runstream and its Kafka client (docs/kafka.md). */

export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface PublishOptions {
  /**
   * Longest the caller waits for the acknowledgement; past it publish() rejects with
   * PublishTimeoutError (the messages may still land: the error carries that outcome).
   */
  deadlineMs?: number;
}

/** How one publish() call ended: acknowledged, past its deadline (may still land), or refused. */
export type PublishOutcome = 'acknowledged' | 'timeout' | 'refused';

/** Told how long each publish() call took and how it ended (the apps' metrics). */
export interface PublishObserver {
  published(topic: string, seconds: number, outcome: PublishOutcome): void;
}

export interface EventPublisher {
  connect(): Promise<void>;
  /** Resolves once the broker acknowledged every message (acks = all). */
  publish(topic: string, messages: OutgoingMessage[], options?: PublishOptions): Promise<void>;
  disconnect(): Promise<void>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit; kept as decimal strings. */
  offset: string;
  key: string | null;
  value: Buffer | null;
}

/**
 * Receives one flush worth of messages from any number of partitions, in partition order.
 * Must resolve only when everything derived from them is durable: offsets are committed
 * right after, and a rejection means the same messages are offered again.
 */
export type BatchSink = (messages: IncomingMessage[]) => Promise<void>;

export interface ConsumerMetrics {
  /** Messages fetched and waiting for their flush. */
  buffered: number;
  flushes: number;
  messages: number;
  lastFlushSize: number;
  lastFlushMs: number;
  /** Epoch ms the newest flush took its messages from the buffer (0 before the first). */
  lastFlushStartedAt: number;
  failedAttempts: number;
}

/**
 * Where a consumer stands. `running`: consuming or idle; `retrying`: the sink failed and the
 * flush is being retried; `restarting`: the Kafka client crashed and restarts by itself;
 * `failed`: it gave up (retry budget spent, or a crash the client does not restart from) and
 * makes no more progress; `stopped`: shut down on purpose.
 */
export type ConsumerStatus = 'starting' | 'running' | 'retrying' | 'restarting' | 'failed' | 'stopped';

export interface ConsumerState {
  status: ConsumerStatus;
  /** Epoch ms since which the current flush (or the client) has been failing without a success. */
  failingSince?: number;
  lastError?: string;
}

export interface EventConsumer {
  start(sink: BatchSink): Promise<void>;
  /** Ordered shutdown: stop fetching, flush what is buffered, commit, disconnect. */
  stop(): Promise<void>;
  metrics(): ConsumerMetrics;
  state(): ConsumerState;
  /** Per-partition lag (high watermark minus committed offset). */
  lag(): Promise<{ partition: number; lag: number }[]>;
}
