import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, UnprocessableEntityException } from '@nestjs/common';
import { reasonPhrase } from './fastify-errors';
import { RetryLaterException, serviceUnavailable } from './retry-later.exception';

/** The parts of a Fastify request and reply the filter uses. */
export interface FilterRequest {
  id?: string;
  method?: string;
  url?: string;
}
export interface FilterReply {
  sent: boolean;
  status(code: number): FilterReply;
  header(name: string, value: string): FilterReply;
  send(body: unknown): FilterReply;
}

/**
 * A failure of something the app depends on (a store's limits, a server it cannot reach) that
 * the app answers deliberately instead of as a bug: 503 with Retry-After, or 422.
 */
export interface DependencyFailure {
  status: 422 | 503;
  /** Present on 503s. */
  retryAfterSeconds?: number;
  message: string;
}

/** Recognises the dependency failures an app answers deliberately; undefined for anything else. */
export type FailureClassifier = (error: unknown) => DependencyFailure | undefined;

/** A 503 or 429 without its own Retry-After gets this one. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** The JSON body of an HttpException: its own object, with statusCode, error and message always set. */
export function httpExceptionBody(exception: HttpException): Record<string, unknown> {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const own = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : { message: response };
  return { statusCode: status, error: reasonPhrase(status), message: exception.message, ...own };
}

/** The HttpException a classified dependency failure is answered as. */
function failureException(failure: DependencyFailure): HttpException {
  if (failure.status === 503) return serviceUnavailable(failure.message, failure.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  return new UnprocessableEntityException({ statusCode: 422, error: 'Unprocessable Entity', message: failure.message });
}

/** Answers an HttpException: its status and body, and Retry-After on 429 and 503. */
export function sendHttpException(reply: FilterReply, exception: HttpException): void {
  const status = exception.getStatus();
  if (status === 429 || status === 503) {
    const seconds = exception instanceof RetryLaterException ? exception.retryAfterSeconds : DEFAULT_RETRY_AFTER_SECONDS;
    reply.header('retry-after', String(seconds));
  }
  reply.status(status).send(httpExceptionBody(exception));
}

/**
 * Every error ends here, from handlers and from Fastify alike: HttpExceptions answer their own
 * status (429 and 503 with Retry-After); a failure the app's classifier recognises (ClickHouse
 * unreachable or at a limit) answers 503 + Retry-After or 422 and is logged as a warning; anything
 * else is a bug, answered 500 and logged with the request id so the answer can be traced. A reply already sent (a handler finishing after
 * its deadline) is left alone: a request never gets two answers.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  constructor(private readonly classify?: FailureClassifier) {}

  /** Where the answer is written: the reply itself here; a route's own filter may shape the body on the way. */
  protected replyFor(reply: FilterReply, _request: FilterRequest): FilterReply {
    return reply;
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FilterRequest>();
    const reply = this.replyFor(http.getResponse<FilterReply>(), request);
    if (reply.sent) {
      this.logger.debug(`${request.method} ${request.url} (request ${request.id}) failed after its answer was sent: ${String(exception)}`);
      return;
    }
    if (exception instanceof HttpException) {
      sendHttpException(reply, exception);
      return;
    }
    const failure = this.classify?.(exception);
    if (failure) {
      this.logger.warn(`${request.method} ${request.url} (request ${request.id}) answered ${failure.status}: ${String(exception)}`);
      sendHttpException(reply, failureException(failure));
      return;
    }
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`${request.method} ${request.url} (request ${request.id}) failed: ${error.stack ?? error.message}`);
    reply.status(500).send({
      statusCode: 500,
      error: 'Internal Server Error',
      message: `internal error; quote request id ${request.id} when reporting it`,
      requestId: request.id,
    });
  }
}
