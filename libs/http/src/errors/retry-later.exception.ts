import { HttpException, HttpStatus } from '@nestjs/common';

const REASONS = { [HttpStatus.TOO_MANY_REQUESTS]: 'Too Many Requests', [HttpStatus.SERVICE_UNAVAILABLE]: 'Service Unavailable' } as const;

/**
 * 429 or 503 that tells the client when to come back: the exception filter answers it with
 * a `Retry-After` header (whole seconds) and `{ statusCode, error, message }`.
 */
export class RetryLaterException extends HttpException {
  constructor(
    status: HttpStatus.TOO_MANY_REQUESTS | HttpStatus.SERVICE_UNAVAILABLE,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super({ statusCode: status, error: REASONS[status], message }, status);
  }
}

export function tooManyRequests(message: string, retryAfterSeconds: number): RetryLaterException {
  return new RetryLaterException(HttpStatus.TOO_MANY_REQUESTS, message, retryAfterSeconds);
}

export function serviceUnavailable(message: string, retryAfterSeconds: number): RetryLaterException {
  return new RetryLaterException(HttpStatus.SERVICE_UNAVAILABLE, message, retryAfterSeconds);
}
