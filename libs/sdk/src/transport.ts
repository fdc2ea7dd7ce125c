import createClient, { Client } from 'openapi-fetch';
import type { paths as IngestPaths } from './api/ingest';
import type { paths as QueryPaths } from './api/query';
import { abortableSleep } from './abortable-sleep';
import { errorFor, RunstreamError } from './errors';

export interface RunstreamOptions {
  /** The write API (ingest), e.g. http://localhost:3000. */
  ingestUrl?: string;
  /** The read API (query), e.g. http://localhost:3001. */
  queryUrl?: string;
  /** A user or gateway token (Authorization: Bearer). */
  token: string;
  /** Attempts per call for 429, 503 and network failures (default 5). */
  maxAttempts?: number;
  /** Wait when a 429/503 carries no Retry-After, doubled per attempt (default 500 ms). */
  backoffMs?: number;
  /** Longest single wait, whatever Retry-After says (default 60 s). */
  maxWaitMs?: number;
  fetch?: typeof fetch;
  /** For tests: how the client waits. */
  sleep?: (ms: number) => Promise<void>;
}

/** How one call retries. */
export interface CallOptions {
  /** Ends the retries and their waits at once: the call throws as soon as it aborts. */
  signal?: AbortSignal;
  /**
   * Retry 429, 503 and network failures until `signal` aborts instead of maxAttempts times (waits
   * still capped by maxWaitMs): a follower meant to run for days outlives a server's restart.
   */
  untilAborted?: boolean;
}

/** What an openapi-fetch call answers. */
interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/**
 * The typed openapi-fetch clients for both APIs and the retry policy around them: 429 and 503
 * are retried after their Retry-After (network failures after a backoff), everything else
 * non-2xx becomes a typed RunstreamError. Writes are retried only because every write the SDK
 * sends carries an Idempotency-Key: a retried write is recorded once.
 */
export class Transport {
  readonly write: Client<IngestPaths>;
  readonly read: Client<QueryPaths>;
  readonly fetch: typeof fetch;
  private readonly options: Required<Pick<RunstreamOptions, 'maxAttempts' | 'backoffMs' | 'maxWaitMs'>>;

  constructor(readonly config: RunstreamOptions) {
    this.fetch = config.fetch ?? globalThis.fetch;
    const headers = { authorization: `Bearer ${config.token}` };
    this.write = createClient<IngestPaths>({ baseUrl: config.ingestUrl, headers, fetch: this.fetch });
    this.read = createClient<QueryPaths>({ baseUrl: config.queryUrl, headers, fetch: this.fetch });
    this.options = {
      maxAttempts: config.maxAttempts ?? 5,
      backoffMs: config.backoffMs ?? 500,
      maxWaitMs: config.maxWaitMs ?? 60_000,
    };
  }

  /** Runs one call with retries; answers its parsed body as T, or throws a RunstreamError (or the abort's error). */
  async call<T>(request: () => Promise<FetchResult>, options: CallOptions = {}): Promise<T> {
    const again = (attempt: number) => !options.signal?.aborted && (options.untilAborted === true || attempt < this.options.maxAttempts);
    for (let attempt = 1; ; attempt++) {
      let result: FetchResult;
      try {
        result = await request();
      } catch (error) {
        // A network failure (fetch's TypeError): the request may or may not have arrived; the idempotency key
        // makes a retry safe. Anything else (an answer that is not JSON, from a proxy) would fail the same way again.
        // By name: fetch's TypeError may come from another realm (a test runner's, a bundler's polyfill).
        if ((error as Error | undefined)?.name !== 'TypeError' || !again(attempt)) throw error;
        await this.wait(this.backoff(attempt), options.signal);
        continue;
      }
      if (result.response.ok) return result.data as T;
      const error = errorFor(result.response.status, result.error, result.response.headers.get('retry-after'));
      if (!error.retryable || !again(attempt)) throw error;
      await this.wait(this.waitFor(error, attempt), options.signal);
    }
  }

  /** Retry-After when the server sent one, else exponential backoff; never past maxWaitMs. */
  waitFor(error: RunstreamError, attempt: number): number {
    const ms = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : this.backoff(attempt);
    return Math.min(ms, this.options.maxWaitMs);
  }

  /** The configured sleep (tests pass their own); by default one an abort ends at once. */
  private wait(ms: number, signal?: AbortSignal): Promise<void> {
    return this.config.sleep ? this.config.sleep(ms) : abortableSleep(ms, signal);
  }

  private backoff(attempt: number): number {
    return Math.min(this.options.backoffMs * 2 ** (attempt - 1), this.options.maxWaitMs);
  }
}
