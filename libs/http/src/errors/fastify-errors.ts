import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { serviceUnavailable } from './retry-later.exception';
import { invalidFields } from '../validation';

/** Fastify's errors carry a `code` (FST_…) and the status it meant to answer. */
interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

function isFrameworkError(error: unknown): error is FrameworkError & Error {
  return error instanceof Error && typeof (error as FrameworkError).statusCode === 'number';
}

/** 400 in the validation pipe's shape, naming one field. */
export function badRequest(field: string, reason: string): BadRequestException {
  return invalidFields([{ field, reasons: [reason] }]);
}

/** Seconds a client waits after a handler deadline before retrying. */
const TIMEOUT_RETRY_AFTER_SECONDS = 5;

/** The answer to a request its handler did not answer in time (HandlerDeadline; Fastify's own handlerTimeout). */
export function handlerTimeoutException(): HttpException {
  return serviceUnavailable(
    'the request took too long to handle and was abandoned; its effect is unknown, retry it (with the same Idempotency-Key for writes)',
    TIMEOUT_RETRY_AFTER_SECONDS,
  );
}

/**
 * Translates the errors Fastify raises before or around a Nest handler (body parsing,
 * content type, URL decoding, handler deadline) into answers that say what to fix.
 * Anything else is returned unchanged: the exception filter answers it.
 */
export function fromFastifyError(error: unknown, bodyLimitBytes: number): unknown {
  if (error instanceof HttpException || !isFrameworkError(error)) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpException(
        { statusCode: 415, error: 'Unsupported Media Type', message: 'send the body as JSON with content-type: application/json' },
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpException(
        { statusCode: 413, error: 'Payload Too Large', message: `body: larger than the limit of ${bodyLimitBytes} bytes; send smaller requests` },
        HttpStatus.PAYLOAD_TOO_LARGE,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return badRequest('body', 'must not be empty when content-type is application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      // Fastify compares the decoded string's length, so invalid UTF-8 lands here too.
      return badRequest('body', 'size does not match Content-Length, or the body is not valid UTF-8');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return badRequest('body', 'is not valid JSON');
    case 'FST_ERR_BAD_URL':
      return badRequest('url', 'has an invalid percent-encoding');
    case 'FST_ERR_HANDLER_TIMEOUT':
      return handlerTimeoutException();
  }
  const status = error.statusCode as number;
  // JSON.parse's SyntaxError and the prototype-poisoning check, which Fastify marks 400.
  if (error instanceof SyntaxError && status === 400) return badRequest('body', `is not valid JSON (${error.message})`);
  if (status >= 400 && status < 500) return new HttpException({ statusCode: status, error: reasonPhrase(status), message: error.message }, status);
  return error;
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request');
}
