/** Limits of live run streams. */
export interface RunStreamOptions {
  /** How often a streamed run's read model is polled. */
  pollIntervalMs: number;
  /** Open streams one token may hold; one more is answered 429 with Retry-After. */
  maxStreamsPerToken: number;
  /** Open streams the process holds in all; one more is answered 503 with Retry-After. */
  maxStreams: number;
  heartbeatMs: number;
  /** The `retry:` a client's EventSource waits before reconnecting. */
  reconnectMs: number;
  /** How often an open stream's token is checked again, so a revoked token's streams end. */
  tokenCheckMs: number;
}

export const RUN_STREAM_OPTIONS = Symbol('RUN_STREAM_OPTIONS');
