import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '../caller';
import { RetryLaterException } from '../errors/retry-later.exception';
import { RequestRateLimiter } from './request-rate-limiter';

/**
 * Bytes a request says it will send: its Content-Length (Fastify answers 413 above the body
 * limit), the body limit when it streams one (chunked), 0 without a body.
 */
export function declaredBodyBytes(headers: IncomingHttpHeaders, bodyLimit: number): number {
  const length = headers['content-length'];
  if (length !== undefined) {
    const bytes = Number(length);
    return Number.isFinite(bytes) && bytes > 0 ? Math.min(bytes, bodyLimit) : 0;
  }
  return headers['transfer-encoding'] === undefined ? 0 : bodyLimit;
}

/**
 * For an onRequest hook, before Fastify reads and parses a body: the 429 a request with a body
 * gets from the limiter's byte and failed-authentication budgets, or undefined to go on.
 * Parsing ~1 MiB of JSON holds the event loop every caller shares; refused here, a client
 * sending such bodies in a loop costs little more than its answers.
 */
export function bodyRefusal(
  headers: IncomingHttpHeaders,
  ip: string,
  limiter: RequestRateLimiter,
  bodyLimit: number,
  peer?: string,
): RetryLaterException | undefined {
  const bytes = declaredBodyBytes(headers, bodyLimit);
  if (bytes === 0) return undefined;
  try {
    limiter.admitBody(bearerToken(headers.authorization), ip, bytes, peer);
    return undefined;
  } catch (error) {
    if (error instanceof RetryLaterException) return error;
    throw error;
  }
}
