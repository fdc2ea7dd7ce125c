import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '@runstream/http';
import Fastify, { FastifyInstance } from 'fastify';
import { loadQueryConfig } from '../config/query.config';
import { registerControlProxy } from './control-proxy';

@Module({})
class EmptyModule {}

describe('the Jobs API through the query app (QUERY_CONTROL_URL)', () => {
  let control: FastifyInstance;
  let app: NestFastifyApplication;
  const seen: { method: string; url: string; authorization?: string; body: unknown }[] = [];

  beforeAll(async () => {
    // A stand-in control app on a real socket: answers with what it received.
    control = Fastify();
    control.all('/*', async (request) => {
      seen.push({ method: request.method, url: request.url, authorization: request.headers.authorization, body: request.body });
      return { echoed: request.url };
    });
    const controlUrl = await control.listen({ port: 0, host: '127.0.0.1' });
    app = await createHttpApp(EmptyModule, { logLevels: [], shutdownHooks: false });
    await registerControlProxy(app, controlUrl);
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await control?.close();
  });

  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method,
        url,
        payload: payload === undefined ? undefined : JSON.stringify(payload),
        headers: { authorization: 'Bearer rst_x', ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      });

  it('forwards the jobs routes with their path, query, body and Authorization unchanged', async () => {
    seen.length = 0;
    expect((await inject('GET', '/api/v1/jobs?status=running&limit=5')).json()).toEqual({ echoed: '/api/v1/jobs?status=running&limit=5' });
    expect((await inject('GET', '/api/v1/projects/p1/jobs')).statusCode).toBe(200);
    expect((await inject('PUT', '/api/v1/projects/p1/jobs/job_1', { enabled: false })).statusCode).toBe(200);
    expect((await inject('POST', '/api/v1/projects/p1/jobs/job_1/trigger')).statusCode).toBe(200);
    expect(seen).toEqual([
      { method: 'GET', url: '/api/v1/jobs?status=running&limit=5', authorization: 'Bearer rst_x', body: undefined },
      { method: 'GET', url: '/api/v1/projects/p1/jobs', authorization: 'Bearer rst_x', body: undefined },
      { method: 'PUT', url: '/api/v1/projects/p1/jobs/job_1', authorization: 'Bearer rst_x', body: { enabled: false } },
      { method: 'POST', url: '/api/v1/projects/p1/jobs/job_1/trigger', authorization: 'Bearer rst_x', body: undefined },
    ]);
  });

  it('forwards nothing else', async () => {
    seen.length = 0;
    expect((await inject('GET', '/api/v1/projects/p1/runs')).statusCode).toBe(404);
    expect(seen).toEqual([]);
  });

  it('answers 503 when the control app cannot be reached', async () => {
    const down = await createHttpApp(EmptyModule, { logLevels: [], shutdownHooks: false });
    await registerControlProxy(down, 'http://127.0.0.1:1');
    await down.init();
    try {
      const answer = await down.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/api/v1/jobs' });
      expect({ status: answer.statusCode, retryAfter: answer.headers['retry-after'] }).toEqual({ status: 503, retryAfter: '5' });
    } finally {
      await down.close();
    }
  });

  it("passes a busy upstream's 503 on once, without retrying it, and tells the upstream the caller's address and the request id", async () => {
    const busy = Fastify();
    const seenBusy: { forwardedFor?: string; requestId?: string }[] = [];
    busy.all('/*', async (request, reply) => {
      seenBusy.push({ forwardedFor: request.headers['x-forwarded-for'] as string, requestId: request.headers['x-request-id'] as string });
      return reply.code(503).header('retry-after', '1').send({ statusCode: 503, message: 'busy' });
    });
    const busyUrl = await busy.listen({ port: 0, host: '127.0.0.1' });
    const front = await createHttpApp(EmptyModule, { logLevels: [], shutdownHooks: false });
    await registerControlProxy(front, busyUrl);
    await front.init();
    try {
      const answer = await front
        .getHttpAdapter()
        .getInstance()
        .inject({ method: 'GET', url: '/api/v1/jobs', headers: { 'x-request-id': 'req-forwarded-1', 'x-forwarded-for': '203.0.113.7' } });
      expect({ status: answer.statusCode, retryAfter: answer.headers['retry-after'] }).toEqual({ status: 503, retryAfter: '1' });
      expect(seenBusy).toEqual([{ forwardedFor: '203.0.113.7, 203.0.113.7', requestId: 'req-forwarded-1' }]);
    } finally {
      await front.close();
      await busy.close();
    }
  });

  it('takes an http(s) QUERY_CONTROL_URL, defaulting to the local control app, and names it when invalid', () => {
    expect(loadQueryConfig({}).controlUrl).toBe('http://127.0.0.1:3003');
    expect(loadQueryConfig({ QUERY_CONTROL_URL: 'http://runstream-control:3003/' }).controlUrl).toBe('http://runstream-control:3003');
    expect(() => loadQueryConfig({ QUERY_CONTROL_URL: 'ftp://control' })).toThrow(/QUERY_CONTROL_URL/);
  });
});
