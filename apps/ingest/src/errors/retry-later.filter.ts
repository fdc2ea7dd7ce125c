import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RetryLaterError, WriteInDoubtError } from './write-outcome.errors';

/** Retry-After for a write whose acknowledgement did not come in time. */
export const IN_DOUBT_RETRY_AFTER_SECONDS = 2;

/**
 * 503 with Retry-After for writes Kafka did not acknowledge, saying whether the write may
 * have been recorded. Scoped to the write controllers, so other errors keep the app's filters.
 */
@Catch(WriteInDoubtError, RetryLaterError)
export class RetryLaterFilter implements ExceptionFilter {
  catch(error: WriteInDoubtError | RetryLaterError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const [message, retryAfter] =
      error instanceof WriteInDoubtError
        ? [
            'Kafka did not acknowledge the write in time; it may still be recorded. Retry with the same Idempotency-Key: the retry gets the original answer if it was recorded, and writes it if it was not',
            IN_DOUBT_RETRY_AFTER_SECONDS,
          ]
        : [error.message, error.retryAfterSeconds];
    void reply
      .header('retry-after', String(retryAfter))
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .send({ statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable', message, retryAfterSeconds: retryAfter });
  }
}
