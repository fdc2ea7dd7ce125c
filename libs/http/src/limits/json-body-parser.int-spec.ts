import type { FastifyRequest } from 'fastify';
import { DEFAULT_BODY_SHAPE } from '../body-shape';
import { RetryLaterException } from '../errors/retry-later.exception';
import { JsonBodyParser } from './json-body-parser';

/** Runs the built worker (dist/, which the integration tier's global setup builds). */
describe('JsonBodyParser', () => {
  const request = {} as FastifyRequest;
  const inline = jest.fn();
  let parser: JsonBodyParser;

  const parse = (body: string) =>
    new Promise<{ error: Error | null; value?: unknown }>((resolve) => parser.parse(request, body, (error, value) => resolve({ error, value })));

  afterEach(async () => parser.close());

  it('parses a body from the threshold up on the worker, and smaller ones in place', async () => {
    parser = new JsonBodyParser({ workerMinBytes: 20, shape: DEFAULT_BODY_SHAPE }, inline);
    expect(await parse('{"status":"running","n":[1,2,3]}')).toEqual({ error: null, value: { status: 'running', n: [1, 2, 3] } });
    expect(inline).not.toHaveBeenCalled();
    parser.parse(request, '{"a":1}', () => undefined);
    expect(inline).toHaveBeenCalledWith(request, '{"a":1}', expect.any(Function));
    expect(await parse('')).toEqual({ error: null, value: undefined });
  });

  it('answers 400 naming the field for a body the worker refuses', async () => {
    parser = new JsonBodyParser({ workerMinBytes: 1, shape: DEFAULT_BODY_SHAPE }, inline);
    const refused = await parse(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(refused.error).toMatchObject({ status: 400, response: { errors: [{ field: expect.stringMatching(/^a(\.0)+$/) }] } });
    expect((await parse('{"a":')).error).toMatchObject({ status: 400, response: { errors: [{ field: 'body', reasons: ['is not valid JSON'] }] } });
  });

  it('answers 503 with Retry-After when its queue of large bodies is full', async () => {
    parser = new JsonBodyParser({ workerMinBytes: 1, shape: DEFAULT_BODY_SHAPE, maxQueued: 1 }, inline);
    const slow = `{"a":${'['.repeat(400_000)}${']'.repeat(400_000)}}`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => parse(slow)));
    const busy = answers.filter((answer) => answer.error instanceof RetryLaterException);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0].error).toMatchObject({ status: 503, retryAfterSeconds: 1 });
    const refused = answers.filter((answer) => (answer.error as { status?: number } | null)?.status === 400);
    expect(refused.length + busy.length).toBe(6);
  });
});
