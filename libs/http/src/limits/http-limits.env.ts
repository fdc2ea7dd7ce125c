import { IsInt, IsNumber, Max, Min } from 'class-validator';
import type { HttpAppOptions } from '../http-app';
import { DEFAULT_JSON_WORKER_MIN_BYTES } from './json-body-parser';
import { DEFAULT_RATE_LIMIT } from './request-rate-limiter';

/**
 * Env of an HTTP app's protective limits (for `loadEnv`); defaults suit a runner that
 * PATCHes in bursts. An app needing other defaults subclasses it and overrides a field.
 */
export class HttpLimitsEnv {
  /** Steady requests per second per API token; 0 turns the per-token limit off. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  RATE_LIMIT_PER_SECOND: number = DEFAULT_RATE_LIMIT.perSecond;

  /** Requests a token may send at once after a quiet spell. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_BURST: number = DEFAULT_RATE_LIMIT.burst;

  /** Failed authentications per second per client IP (no, malformed, unknown or revoked token); 0 turns it off. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  RATE_LIMIT_UNAUTHENTICATED_PER_SECOND: number = DEFAULT_RATE_LIMIT.unauthenticatedPerSecond;

  @IsInt()
  @Min(1)
  RATE_LIMIT_UNAUTHENTICATED_BURST: number = DEFAULT_RATE_LIMIT.unauthenticatedBurst;

  /** Steady request-body bytes per second per token (per client IP without one), charged before a body is read; 0 turns it off. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  RATE_LIMIT_BYTES_PER_SECOND: number = DEFAULT_RATE_LIMIT.bytesPerSecond;

  /** Body bytes a token may send at once after a quiet spell (a body larger than this passes on a full budget). */
  @IsInt()
  @Min(1)
  RATE_LIMIT_BYTES_BURST: number = DEFAULT_RATE_LIMIT.bytesBurst;

  /**
   * JSON bodies of at least this many bytes are parsed and shape-checked on a worker thread, so
   * a large or hostile body does not hold the event loop; 0 parses every body on the event loop.
   */
  @IsInt()
  @Min(0)
  HTTP_JSON_WORKER_MIN_BYTES: number = DEFAULT_JSON_WORKER_MIN_BYTES;

  /** A request not answered within this is answered 503 with Retry-After. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS: number = 30_000;

  /** Headers and body must have arrived within this (slow clients), else 408. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_RECEIVE_TIMEOUT_MS: number = 10_000;
}

/** createHttpApp options from the env. */
export function httpLimits(env: HttpLimitsEnv): Required<Pick<HttpAppOptions, 'rateLimit' | 'timeouts' | 'jsonWorkerMinBytes'>> {
  return {
    rateLimit: {
      perSecond: env.RATE_LIMIT_PER_SECOND,
      burst: env.RATE_LIMIT_BURST,
      unauthenticatedPerSecond: env.RATE_LIMIT_UNAUTHENTICATED_PER_SECOND,
      unauthenticatedBurst: env.RATE_LIMIT_UNAUTHENTICATED_BURST,
      bytesPerSecond: env.RATE_LIMIT_BYTES_PER_SECOND,
      bytesBurst: env.RATE_LIMIT_BYTES_BURST,
    },
    timeouts: { handlerMs: env.HTTP_REQUEST_TIMEOUT_MS, receiveMs: env.HTTP_RECEIVE_TIMEOUT_MS },
    jsonWorkerMinBytes: env.HTTP_JSON_WORKER_MIN_BYTES,
  };
}

/** The rate limits and timeouts an app's config carries into createHttpApp. */
export type HttpLimits = ReturnType<typeof httpLimits>;
