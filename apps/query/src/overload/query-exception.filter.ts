import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, UnprocessableEntityException } from '@nestjs/common';
import { HttpExceptionFilter, serviceUnavailable } from '@runstream/http';
import { classifyClickHouseFailure, ClickHouseFailure } from './clickhouse-failure';

function toHttpException(failure: ClickHouseFailure): HttpException {
  if (failure.status === 503) return serviceUnavailable(failure.message, failure.retryAfterSeconds ?? 1);
  return new UnprocessableEntityException({ statusCode: 422, error: 'Unprocessable Entity', message: failure.message });
}

/**
 * Recognises ClickHouse errors by code (limits hit, server unreachable) from handlers and guards
 * alike and answers them as 503 + Retry-After or 422 (see clickhouse-failure.ts); everything goes
 * on to the platform's filter, so every answer keeps one shape and 500s stay logged bugs.
 */
@Catch()
export class QueryExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('QueryExceptionFilter');
  private readonly platform = new HttpExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const failure = classifyClickHouseFailure(exception);
    if (failure)
      this.logger.warn(`ClickHouse refused a read, answered ${failure.status}: ${exception instanceof Error ? exception.message : String(exception)}`);
    this.platform.catch(failure ? toHttpException(failure) : exception, host);
  }
}
