export interface BatchConsumerOptions {
  groupId: string;
  topic: string;
  /** A flush starts as soon as this many messages are buffered... */
  maxBatchSize: number;
  /**
   * ...or once this long has passed since the previous flush started (or the consumer did):
   * flushes start at most once per interval, and messages fetched when that much time has
   * already passed (after a slow flush, or a quiet spell) are flushed at once instead of
   * waiting a whole interval more.
   */
  flushIntervalMs: number;
  /** Upper bound of bytes fetched and held in memory at once (all partitions). */
  maxBytesInFlight: number;
  /** Backoff between attempts when the sink fails (doubling, capped, with jitter). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Longest one flush is retried before the consumer gives up (onFatal). Default 5 minutes. */
  maxRetryMs?: number;
  fromBeginning?: boolean;
  /** How long the group waits for a silent member before giving its partitions to others. Default 30 s. */
  sessionTimeoutMs?: number;
  /** Told this member's partitions of `topic` after every rebalance (an empty list when it has none). */
  onAssignment?: (partitions: number[]) => void;
  /**
   * Told when a flush learns (from its heartbeat or commit) that the group is rebalancing or has
   * gone on without this member: its partitions may be another member's before onAssignment
   * speaks again. The flush then stops retrying and lets kafkajs rejoin; nothing was committed.
   */
  onRevoked?: (reason: string) => void;
  /**
   * The partition count the sink's state is built under, once known: an assignment holding a
   * partition beyond it (partitions added while running) fails the consumer before it fetches.
   */
  partitionCount?: () => number | undefined;
  onSinkError?: (error: Error, attempt: number) => void;
  /**
   * Called once when the consumer gives up: the sink kept failing for maxRetryMs, or kafkajs
   * crashed and will not restart. The consumer then holds its partitions without progress and
   * commits nothing; the caller is expected to end the process so a new member takes over.
   */
  onFatal?: (error: Error) => void;
}
