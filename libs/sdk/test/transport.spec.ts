import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  retryAfterSeconds,
  Runstream,
  UnauthorizedError,
  UnavailableError,
} from '../src';
import { testServer } from './test-server';

describe('SDK transport: retries and typed errors', () => {
  const waits: number[] = [];
  const sleep = async (ms: number) => void waits.push(ms);
  beforeEach(() => waits.splice(0));

  it('retries 429 and 503 after their Retry-After, then answers the body', async () => {
    const server = await testServer((_request, i) =>
      i === 0
        ? { status: 429, body: { statusCode: 429, message: 'slow down' }, headers: { 'retry-after': '3' } }
        : i === 1
          ? { status: 503, body: {}, headers: { 'retry-after': '1' } }
          : { status: 200, body: { threshold_seconds: 5, breaches: [] } },
    );
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok', sleep });
      const report = await client.sla('proj', 5);
      expect(report).toEqual({ threshold_seconds: 5, breaches: [] });
      expect(waits).toEqual([3000, 1000]);
      expect(server.requests).toHaveLength(3);
      expect(server.requests[0].headers.authorization).toBe('Bearer tok');
      expect(server.requests[0].url).toBe('/api/v1/projects/proj/sla?threshold_seconds=5&days=7');
    } finally {
      await server.close();
    }
  });

  it('retries a proxy’s 502 and 504 (a server restarting behind it) with backoff, but not a 500', async () => {
    const server = await testServer((_request, i) =>
      i === 0 ? { status: 502, body: {} } : i === 1 ? { status: 504, body: {} } : { status: 200, body: { threshold_seconds: 5, breaches: [] } },
    );
    const broken = await testServer(() => ({ status: 500, body: { statusCode: 500, message: 'bug' } }));
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok', sleep, backoffMs: 100 });
      expect(await client.sla('proj', 5)).toEqual({ threshold_seconds: 5, breaches: [] });
      expect(waits).toEqual([100, 200]);
      const failing = new Runstream({ queryUrl: broken.url, token: 'tok', sleep });
      await expect(failing.sla('proj', 5)).rejects.toMatchObject({ status: 500 });
      expect(broken.requests).toHaveLength(1);
    } finally {
      await server.close();
      await broken.close();
    }
  });

  it('gives up after maxAttempts with the typed error and its Retry-After', async () => {
    const server = await testServer(() => ({
      status: 503,
      body: { statusCode: 503, error: 'Service Unavailable', message: 'busy' },
      headers: { 'retry-after': '2' },
    }));
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok', sleep, maxAttempts: 3 });
      const error = await client.sla('proj', 5).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      expect((error as UnavailableError).retryAfterSeconds).toBe(2);
      expect((error as UnavailableError).message).toContain('busy');
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('waits an exponential backoff when a 429 carries no Retry-After, capped by maxWaitMs', async () => {
    const server = await testServer(() => ({ status: 429, body: {} }));
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok', sleep, maxAttempts: 5, backoffMs: 100, maxWaitMs: 500 });
      await expect(client.sla('proj', 5)).rejects.toBeInstanceOf(RateLimitedError);
      expect(waits).toEqual([100, 200, 400, 500]);
    } finally {
      await server.close();
    }
  });

  it.each([
    [400, BadRequestError],
    [401, UnauthorizedError],
    [403, ForbiddenError],
    [404, NotFoundError],
    [409, ConflictError],
    [410, GoneError],
    [413, PayloadTooLargeError],
  ])('answers %i as its own error class, without retrying', async (status, ErrorClass) => {
    const server = await testServer(() => ({
      status,
      body: { statusCode: status, message: 'field: reason', errors: [{ field: 'field', reasons: ['reason'] }] },
    }));
    try {
      const client = new Runstream({ queryUrl: server.url, token: 'tok', sleep });
      const error = await client.sla('proj', 5).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({ status, body: { errors: [{ field: 'field' }] } });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('retries a network failure, but not an answer it cannot parse (a proxy page): that would fail the same way again', async () => {
    let requests = 0;
    const portal = createServer((_request, response) => {
      requests += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('<html>captive portal</html>');
    });
    await new Promise<void>((resolve) => portal.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
      await expect(new Runstream({ queryUrl: url, token: 'tok', sleep }).sla('proj', 5)).rejects.toBeInstanceOf(SyntaxError);
      expect(requests).toBe(1);
    } finally {
      await new Promise<void>((resolve) => portal.close(() => resolve()));
    }
    const nowhere = new Runstream({ queryUrl: 'http://127.0.0.1:1', token: 'tok', sleep, maxAttempts: 3 });
    await expect(nowhere.sla('proj', 5)).rejects.toMatchObject({ name: 'TypeError' });
    expect(waits).toHaveLength(2);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterSeconds('7')).toBe(7);
    expect(retryAfterSeconds(new Date(10_000).toUTCString(), 1_000)).toBe(9);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });
});
