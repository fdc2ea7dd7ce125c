import { ConsumerState } from '@runstream/kafka';

export interface Health {
  status: 'ok' | 'unavailable';
  consumer: ConsumerState['status'];
  reason?: string;
  /** Seconds the current flush (or the Kafka consumer) has been failing. */
  failingSeconds?: number;
}

/**
 * GET /health: 503 when the consumer makes no progress and will not by itself: it gave up or is
 * stopped, or it has been failing (flush retries, a Kafka client restarting) for longer than
 * `unhealthyAfterMs`. Shorter failures are reported but stay 200: they heal by themselves and a
 * liveness probe must not restart the process for a blip.
 */
export function healthOf(state: ConsumerState, now: number, unhealthyAfterMs: number): Health {
  const failingSeconds = state.failingSince === undefined ? undefined : Math.max(0, now - state.failingSince) / 1000;
  const base = { consumer: state.status, ...(failingSeconds === undefined ? {} : { failingSeconds }), ...(state.lastError ? { reason: state.lastError } : {}) };
  switch (state.status) {
    case 'failed':
      return { status: 'unavailable', ...base, reason: `consumer gave up: ${state.lastError ?? 'unknown error'}` };
    case 'stopped':
      return { status: 'unavailable', ...base, reason: 'consumer stopped' };
    case 'starting':
      return { status: 'unavailable', ...base, reason: 'consumer starting' };
    case 'retrying':
    case 'restarting':
      if (failingSeconds !== undefined && failingSeconds * 1000 >= unhealthyAfterMs) {
        const what = state.status === 'retrying' ? 'writes have been failing' : 'the Kafka consumer has been restarting';
        return { status: 'unavailable', ...base, reason: `${what} for ${Math.round(failingSeconds)} s: ${state.lastError ?? 'unknown error'}` };
      }
      return { status: 'ok', ...base };
    case 'running':
      return { status: 'ok', ...base };
  }
}
