import { backoffDelay, isRetryableStatus, parseRetryAfter } from './backoff';

export interface IngestAnswer<T = unknown> {
  status: number;
  body: T;
}

export interface RequestOptions {
  idempotencyKey?: string;
  /** Epoch ms after which no further attempt starts; read before each retry, so a caller may shorten it. */
  deadline?: () => number;
  /** Retries stop at once when this aborts (the agent is giving up on the request). */
  signal?: AbortSignal;
}

/** Raised when every attempt failed until the deadline; `last` says how the last one ended. */
export class IngestUnavailableError extends Error {
  constructor(readonly last: string) {
    super(`ingest unavailable: ${last}`);
    this.name = 'IngestUnavailableError';
  }
}

/** Longest one HTTP attempt may take; ingest's own request timeout is 15 s. */
const ATTEMPT_TIMEOUT_MS = 30_000;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message})` : '';
  return `${error.message}${cause}`;
}

function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return { message: text.slice(0, 500) };
  }
}

/**
 * The agent's only peer: ingest's /api/agent routes with the gateway token. Network errors,
 * 408/429/5xx are retried with backoff (honouring Retry-After) until the request's deadline,
 * with the same Idempotency-Key, so an in-doubt write is recorded once. Other answers are
 * returned as they are for the caller to interpret.
 */
export class IngestClient {
  /**
   * Until when ingest asked this token to wait (429/503 Retry-After). Shared by every request of
   * the agent, so polls do not spend the budget its run reports are waiting for.
   */
  private pausedUntil = 0;

  /**
   * `onPause` hears each time ingest starts a wait (a 429/503 with Retry-After while none was
   * running), not every refused request of it, so an operator sees throttling without a flood.
   */
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly onPause: (status: number, waitMs: number) => void = () => undefined,
  ) {}

  async request<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown, options: RequestOptions = {}): Promise<IngestAnswer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      let last: string;
      let retryAfterMs: number | undefined;
      const paused = this.pausedUntil - Date.now();
      if (paused > 0) await sleep(paused, options.signal);
      try {
        const signals = [AbortSignal.timeout(ATTEMPT_TIMEOUT_MS), ...(options.signal ? [options.signal] : [])];
        const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload, signal: AbortSignal.any(signals) });
        const text = await response.text();
        if (!isRetryableStatus(response.status)) return { status: response.status, body: parseBody(text) as T };
        last = `${response.status} ${text.slice(0, 200)}`;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        if (retryAfterMs !== undefined) {
          if (this.pausedUntil <= Date.now()) this.onPause(response.status, retryAfterMs);
          this.pausedUntil = Math.max(this.pausedUntil, Date.now() + retryAfterMs);
        }
      } catch (error) {
        last = describeFailure(error);
      }
      const delay = backoffDelay(attempt, retryAfterMs);
      const deadline = options.deadline?.() ?? 0;
      if (options.signal?.aborted || Date.now() + delay > deadline) throw new IngestUnavailableError(last);
      await sleep(delay, options.signal);
    }
  }
}
