/** Limits of live run streams. */
export interface RunStreamOptions {
  /** How often a streamed run's read model is polled. */
  pollIntervalMs: number;
  /** Open streams one token may hold; one more is answered 429 with Retry-After. */
  maxStreamsPerToken: number;
  heartbeatMs: number;
  /** The `retry:` a client's EventSource waits before reconnecting. */
  reconnectMs: number;
}

export const RUN_STREAM_OPTIONS = Symbol('RUN_STREAM_OPTIONS');

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(value)}`);
  return parsed;
}

/** QUERY_STREAM_POLL_MS (default 250), QUERY_STREAM_MAX_PER_TOKEN (default 20). */
export function runStreamOptionsFrom(env: NodeJS.ProcessEnv): RunStreamOptions {
  return {
    pollIntervalMs: positive(env.QUERY_STREAM_POLL_MS, 250, 'QUERY_STREAM_POLL_MS'),
    maxStreamsPerToken: positive(env.QUERY_STREAM_MAX_PER_TOKEN, 20, 'QUERY_STREAM_MAX_PER_TOKEN'),
    heartbeatMs: 15_000,
    reconnectMs: 1_000,
  };
}
