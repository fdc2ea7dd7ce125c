import { HttpException } from '@nestjs/common';
import { fromFastifyError } from './fastify-errors';
import { httpExceptionBody } from './http-exception.filter';
import { RetryLaterException } from './retry-later.exception';

function fastifyError(code: string, statusCode: number, message = 'x'): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

function translated(error: unknown): HttpException {
  const result = fromFastifyError(error, 1024);
  expect(result).toBeInstanceOf(HttpException);
  return result as HttpException;
}

describe('fromFastifyError', () => {
  it.each([
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 413],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 400],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 400],
    ['FST_ERR_BAD_URL', 400, 400],
    ['FST_ERR_SOMETHING_NEW', 414, 414],
  ])('%s answers %i', (code, status, expected) => {
    expect(translated(fastifyError(code, status)).getStatus()).toBe(expected);
  });

  it('names the body for invalid JSON, in the validation shape', () => {
    const error = Object.assign(new SyntaxError('Unexpected end of JSON input'), { statusCode: 400 });
    expect(httpExceptionBody(translated(error))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'body: is not valid JSON (Unexpected end of JSON input)',
      errors: [{ field: 'body', reasons: ['is not valid JSON (Unexpected end of JSON input)'] }],
    });
  });

  it('turns the handler deadline into 503 with Retry-After', () => {
    const result = translated(fastifyError('FST_ERR_HANDLER_TIMEOUT', 503));
    expect(result).toBeInstanceOf(RetryLaterException);
    expect(result.getStatus()).toBe(503);
    expect((result as RetryLaterException).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('names the body limit on 413', () => {
    expect(httpExceptionBody(translated(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413))).message).toMatch(/1024 bytes/);
  });

  it('leaves server errors and non-Fastify errors alone', () => {
    const bug = new TypeError('boom');
    expect(fromFastifyError(bug, 1024)).toBe(bug);
    const internal = fastifyError('FST_ERR_REP_INVALID_PAYLOAD_TYPE', 500);
    expect(fromFastifyError(internal, 1024)).toBe(internal);
  });
});

describe('httpExceptionBody', () => {
  it('fills statusCode, error and message around a string response', () => {
    expect(httpExceptionBody(new HttpException('gone', 410))).toEqual({ statusCode: 410, error: 'Gone', message: 'gone' });
  });

  it('keeps an object response as it is', () => {
    const body = { statusCode: 422, error: 'Unprocessable Entity', message: 'm', extra: 1 };
    expect(httpExceptionBody(new HttpException(body, 422))).toEqual(body);
  });
});
