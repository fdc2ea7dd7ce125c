import { ArgumentsHost, NotFoundException } from '@nestjs/common';
import { EnvelopeErrorFilter } from './envelope-error.filter';
import { FailureClassifier, FilterReply, HttpExceptionFilter } from './http-exception.filter';

interface Answer {
  status?: number;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

/** Runs the filter on one error and returns what it answered. */
function answer(filter: HttpExceptionFilter, exception: unknown): Answer {
  const answered: Answer = { headers: {} };
  const reply: FilterReply = {
    sent: false,
    status(code) {
      answered.status = code;
      return reply;
    },
    header(name, value) {
      answered.headers[name] = value;
      return reply;
    },
    send(body) {
      answered.body = body as Record<string, unknown>;
      return reply;
    },
  };
  const request = { id: 'req-1', method: 'PATCH', url: '/api/elt/runs/run_1' };
  const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }) } as unknown as ArgumentsHost;
  filter.catch(exception, host);
  return answered;
}

const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
const classify: FailureClassifier = (error) =>
  error === unreachable ? { status: 503, retryAfterSeconds: 5, message: 'ClickHouse is unreachable; retry shortly' } : undefined;

describe('HttpExceptionFilter', () => {
  it("answers a dependency failure its classifier recognises as 503 with the classifier's Retry-After", () => {
    expect(answer(new HttpExceptionFilter(classify), unreachable)).toEqual({
      status: 503,
      headers: { 'retry-after': '5' },
      body: { statusCode: 503, error: 'Service Unavailable', message: 'ClickHouse is unreachable; retry shortly' },
    });
  });

  it('answers 422 for a failure classified as the request asking too much', () => {
    const filter = new HttpExceptionFilter(() => ({ status: 422, message: 'narrow the time range' }));
    expect(answer(filter, new Error('too many rows'))).toMatchObject({ status: 422, headers: {}, body: { statusCode: 422, message: 'narrow the time range' } });
  });

  it('answers anything else as a 500 naming the request id, with or without a classifier', () => {
    for (const filter of [new HttpExceptionFilter(classify), new HttpExceptionFilter()]) {
      expect(answer(filter, new Error('a bug'))).toMatchObject({ status: 500, body: { statusCode: 500, requestId: 'req-1' } });
    }
    expect(answer(new HttpExceptionFilter(), unreachable)).toMatchObject({ status: 500 });
  });

  it('answers HttpExceptions as themselves, before any classifier', () => {
    expect(answer(new HttpExceptionFilter(() => ({ status: 503, message: 'never' })), new NotFoundException('run run_1 not found'))).toMatchObject({
      status: 404,
      body: { message: 'run run_1 not found' },
    });
  });

  it("gives an envelope route's errors the envelope's code, data and requestId beside the usual fields", () => {
    const filter = new EnvelopeErrorFilter(classify);
    expect(answer(filter, new NotFoundException('no such thing'))).toEqual({
      status: 404,
      headers: {},
      body: { code: 404, data: null, statusCode: 404, error: 'Not Found', message: 'no such thing', requestId: 'req-1' },
    });
    expect(answer(filter, unreachable)).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, body: { code: 503, data: null, requestId: 'req-1' } });
    expect(answer(filter, new Error('a bug'))).toMatchObject({ status: 500, body: { code: 500, data: null, statusCode: 500, requestId: 'req-1' } });
  });
});
