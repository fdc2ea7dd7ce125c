import createClient, { Client } from 'openapi-fetch';
import type { paths as IngestPaths } from './api/ingest';
import type { paths as QueryPaths } from './api/query';
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
  private readonly options: Required<Pick<RunstreamOptions, 'maxAttempts' | 'backoffMs' | 'maxWaitMs'>> & { sleep: (ms: number) => Promise<void> };

  constructor(readonly config: RunstreamOptions) {
    this.fetch = config.fetch ?? globalThis.fetch;
    const headers = { authorization: `Bearer ${config.token}` };
    this.write = createClient<IngestPaths>({ baseUrl: config.ingestUrl, headers, fetch: this.fetch });
    this.read = createClient<QueryPaths>({ baseUrl: config.queryUrl, headers, fetch: this.fetch });
    this.options = {
      maxAttempts: config.maxAttempts ?? 5,
      backoffMs: config.backoffMs ?? 500,
      maxWaitMs: config.maxWaitMs ?? 60_000,
      sleep: config.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };
  }

  /** Runs one call with retries; answers its parsed body as T, or throws a RunstreamError. */
  async call<T>(request: () => Promise<FetchResult>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let result: FetchResult;
      try {
        result = await request();
      } catch (error) {
        // A network failure: the request may or may not have arrived; the idempotency key makes a retry safe.
        if (attempt >= this.options.maxAttempts) throw error;
        await this.options.sleep(this.backoff(attempt));
        continue;
      }
      if (result.response.ok) return result.data as T;
      const error = errorFor(result.response.status, result.error, result.response.headers.get('retry-after'));
      if (!error.retryable || attempt >= this.options.maxAttempts) throw error;
      await this.options.sleep(this.waitFor(error, attempt));
    }
  }

  /** Retry-After when the server sent one, else exponential backoff; never past maxWaitMs. */
  waitFor(error: RunstreamError, attempt: number): number {
    const ms = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : this.backoff(attempt);
    return Math.min(ms, this.options.maxWaitMs);
  }

  private backoff(attempt: number): number {
    return Math.min(this.options.backoffMs * 2 ** (attempt - 1), this.options.maxWaitMs);
  }
}
