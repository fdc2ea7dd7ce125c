import { isIP } from 'node:net';
import { IsInt, IsNumber, Matches, Max, Min } from 'class-validator';
import type { HttpAppOptions } from '../http-app';
import { DEFAULT_JSON_WORKER_MIN_BYTES } from './json-body-parser';
import { DEFAULT_RATE_LIMIT } from './request-rate-limiter';

export const DEFAULT_TRUST_PROXY = 'loopback,linklocal,uniquelocal';
/** Shape of HTTP_TRUST_PROXY; trustProxyOf checks each listed address. */
const TRUST_PROXY = /^(true|false|\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/;
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Fastify's trustProxy from HTTP_TRUST_PROXY; throws naming the variable for an entry that is no address, CIDR or name. */
export function trustProxyOf(value: string): boolean | number | string[] {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address);
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!PROXY_NAMES.has(entry) && (family === 0 || !bitsOk || extra !== undefined)) {
      throw new Error(`HTTP_TRUST_PROXY: ${JSON.stringify(entry)} is not an IP address, a CIDR, loopback, linklocal or uniquelocal`);
    }
  }
  return entries;
}

/**
 * True when a trustProxy setting trusts peers by the network they are on (every peer, a hop
 * count, or a named range such as the default's private networks) rather than by the addresses an
 * operator listed: such a peer may be any workload there, a tenant's job pod included.
 */
export function trustsByNetwork(trustProxy: boolean | number | string[]): boolean {
  if (typeof trustProxy !== 'object') return trustProxy !== false;
  return trustProxy.some((entry) => PROXY_NAMES.has(entry));
}

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

  /**
   * Which peers' X-Forwarded-For names the client (its address spends the failed-authentication
   * budget): `true`, `false`, a hop count, or addresses, CIDRs and the names loopback, linklocal
   * and uniquelocal, comma-separated. The default trusts proxies on private networks (an ingress
   * in the cluster, compose's network), so a client on the internet cannot choose its address.
   */
  @Matches(TRUST_PROXY, {
    message: 'HTTP_TRUST_PROXY must be true, false, a hop count, or a comma-separated list of IP addresses, CIDRs, loopback, linklocal, uniquelocal',
  })
  HTTP_TRUST_PROXY: string = DEFAULT_TRUST_PROXY;
}

/** createHttpApp options from the env. */
export function httpLimits(env: HttpLimitsEnv): Required<Pick<HttpAppOptions, 'rateLimit' | 'timeouts' | 'jsonWorkerMinBytes' | 'trustProxy'>> {
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
    trustProxy: trustProxyOf(env.HTTP_TRUST_PROXY),
  };
}

/** The rate limits and timeouts an app's config carries into createHttpApp. */
export type HttpLimits = ReturnType<typeof httpLimits>;
