import { Body, Controller, DynamicModule, Get, Module, Param, Post, Query } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthModule, TokenService } from '@runstream/auth';
import { ClickHouseModule, ClickHouseStore } from '@runstream/clickhouse';
import { TerminusModule } from '@nestjs/terminus';
import {
  Caller,
  createHttpApp,
  CurrentCaller,
  HealthController,
  HttpAppOptions,
  listenUrl,
  READINESS_PROBES,
  ReadinessProbe,
  setupOpenApi,
} from '@runstream/http';
import { isolatedEnv } from '@runstream/testing';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/**
 * What createHttpApp gives every app, through a tiny app on real ClickHouse: rate limits
 * (429 + Retry-After, per token, per IP for failed authentication), handler deadlines
 * (503 + Retry-After, one answer per request), token lookups (cached, single-flight) and a
 * clear 4xx for every malformed request.
 */
class EchoBody {
  @IsString()
  name!: string;
}

class SlowQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  ms: number = 0;
}

let slowHandlersFinished = 0;

/** The probe app's one dependency, as a test sets it: answering, failing, or never answering. */
let dependency: 'up' | 'down' | 'hung' = 'up';
const dependencyProbe: ReadinessProbe = {
  name: 'warehouse',
  check: () =>
    dependency === 'up' ? Promise.resolve() : dependency === 'down' ? Promise.reject(new Error('connection refused')) : new Promise(() => undefined),
};

@Controller('probe')
class ProbeController {
  @Get()
  whoami(@CurrentCaller() caller: Caller): { tokenId: string } {
    return { tokenId: caller.tokenId };
  }

  @Post()
  echo(@Body() body: EchoBody): EchoBody {
    return body;
  }

  @Get('slow')
  async slow(@Query() query: SlowQuery): Promise<{ done: true }> {
    await new Promise((resolve) => setTimeout(resolve, query.ms));
    slowHandlersFinished += 1;
    return { done: true };
  }

  @Get('items/:id')
  item(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Get('boom')
  boom(): never {
    throw new Error('injected: a bug in a handler');
  }
}

function probeModule(env: NodeJS.ProcessEnv): DynamicModule {
  @Module({})
  class ProbeModule {}
  return {
    module: ProbeModule,
    imports: [
      ClickHouseModule.forRoot({ url: env.CLICKHOUSE_URL, path: env.CLICKHOUSE_PATH ?? '', database: env.CLICKHOUSE_DATABASE ?? '' }),
      AuthModule,
      TerminusModule,
    ],
    controllers: [HealthController, ProbeController],
    providers: [{ provide: READINESS_PROBES, useValue: [dependencyProbe] }],
  };
}

interface Probe {
  app: NestFastifyApplication;
  url: string;
  tokens: TokenService;
  store: ClickHouseStore;
}

async function startProbe(env: NodeJS.ProcessEnv, options: HttpAppOptions): Promise<Probe> {
  const app = await createHttpApp(probeModule(env), { logLevels: ['fatal'], shutdownHooks: false, ...options });
  setupOpenApi(app, 'probe', 'probe');
  const url = await listenUrl(app, 0, '127.0.0.1');
  return { app, url, tokens: app.get(TokenService), store: app.get(ClickHouseStore) };
}

interface Answer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

async function call(url: string, init: RequestInit & { token?: string; ip?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.ip) headers.set('x-forwarded-for', init.ip);
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function madeUpToken(): string {
  return `rst_${randomBytes(32).toString('base64url')}`;
}

function tokenLookups(store: ClickHouseStore): jest.SpyInstance {
  // Passes through to the real store; only counts the calls.
  return jest.spyOn(store, 'query');
}

function countLookups(spy: jest.SpyInstance): number {
  return spy.mock.calls.filter(([, sql]) => String(sql).includes('api_tokens')).length;
}

describe('createHttpApp', () => {
  const env = isolatedEnv('platform_http');
  let probe: Probe;
  let strict: Probe;

  beforeAll(async () => {
    // Failed-auth budget large here (one IP sends everything), small on `strict`.
    probe = await startProbe(env, {
      bodyLimitBytes: 1024,
      rateLimit: { perSecond: 5, burst: 10, unauthenticatedPerSecond: 1, unauthenticatedBurst: 1_000 },
      timeouts: { handlerMs: 500, receiveMs: 2_000 },
    });
    strict = await startProbe(env, { rateLimit: { unauthenticatedPerSecond: 1, unauthenticatedBurst: 5 } });
  });

  afterAll(async () => {
    await probe?.app.close();
    await strict?.app.close();
  });

  describe('health', () => {
    afterEach(() => {
      dependency = 'up';
    });

    it('answers liveness without a token whatever the dependencies do, and readiness 503 with Retry-After naming the dependency that is down or silent', async () => {
      const ready = await call(`${strict.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok', info: { warehouse: { status: 'up' } } });

      for (const state of ['down', 'hung'] as const) {
        dependency = state;
        const notReady = await call(`${strict.url}/health/ready`);
        expect(notReady.status).toBe(503);
        expect(notReady.retryAfter).not.toBeNull();
        expect(JSON.stringify(notReady.body)).toContain('warehouse');
        expect(JSON.stringify(notReady.body)).toContain(state === 'down' ? 'connection refused' : 'no answer within');
        expect((await call(`${strict.url}/health`)).status).toBe(200);
      }
    });
  });

  describe('rate limits', () => {
    it('answers 429 with Retry-After once a token spent its burst, and other tokens are unaffected', async () => {
      const first = await probe.tokens.create({ orgId: 'org_rl', name: 'first', kind: 'user' });
      const second = await probe.tokens.create({ orgId: 'org_rl', name: 'second', kind: 'user' });
      const answers = await Promise.all(Array.from({ length: 30 }, () => call(`${probe.url}/probe`, { token: first.token })));
      const ok = answers.filter((a) => a.status === 200).length;
      const limited = answers.filter((a) => a.status === 429);
      expect(ok).toBeGreaterThanOrEqual(10);
      expect(limited.length).toBeGreaterThan(0);
      expect(ok + limited.length).toBe(30);
      expect(Number(limited[0].retryAfter)).toBeGreaterThanOrEqual(1);
      expect(limited[0].body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      expect(limited[0].body.message).toMatch(/rate limit/);

      expect(await call(`${probe.url}/probe`, { token: second.token })).toMatchObject({ status: 200, body: { tokenId: second.id } });

      await new Promise((resolve) => setTimeout(resolve, Number(limited[0].retryAfter) * 1000));
      expect((await call(`${probe.url}/probe`, { token: first.token })).status).toBe(200);
    });

    it('exempts /health and /docs-json', async () => {
      const health = await Promise.all(Array.from({ length: 40 }, () => call(`${strict.url}/health`)));
      expect(health.every((a) => a.status === 200)).toBe(true);
      const docs = await Promise.all(Array.from({ length: 40 }, () => fetch(`${strict.url}/docs-json`).then((r) => r.status)));
      expect(docs.every((status) => status === 200)).toBe(true);
    });

    it('cuts off an IP flooding bad tokens with 429, before any lookup, while a known token from it still works', async () => {
      const known = await strict.tokens.create({ orgId: 'org_flood', name: 'known', kind: 'user' });
      expect((await call(`${strict.url}/probe`, { token: known.token, ip: '203.0.113.7' })).status).toBe(200);
      const spy = tokenLookups(strict.store);
      try {
        const answers: Answer[] = [];
        for (let i = 0; i < 12; i += 1) answers.push(await call(`${strict.url}/probe`, { token: madeUpToken(), ip: '203.0.113.7' }));
        const refused = answers.filter((a) => a.status === 401).length;
        expect(refused).toBeGreaterThanOrEqual(5);
        expect(refused).toBeLessThan(12);
        const limited = answers.find((a) => a.status === 429);
        expect(limited?.retryAfter).toMatch(/^[1-9]\d*$/);
        expect(countLookups(spy)).toBe(refused);
        expect((await call(`${strict.url}/probe`, { token: known.token, ip: '203.0.113.7' })).status).toBe(200);
        expect((await call(`${strict.url}/probe`, { token: madeUpToken(), ip: '198.51.100.9' })).status).toBe(401);
      } finally {
        spy.mockRestore();
      }
    });
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy (HTTP_TRUST_PROXY): rotating it escapes no budget', async () => {
    const untrusting = await startProbe(env, { rateLimit: { unauthenticatedPerSecond: 1, unauthenticatedBurst: 5 }, trustProxy: ['192.0.2.254'] });
    try {
      const answers: Answer[] = [];
      for (let i = 0; i < 12; i += 1) answers.push(await call(`${untrusting.url}/probe`, { token: madeUpToken(), ip: `198.51.100.${i + 1}` }));
      expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(5);
    } finally {
      await untrusting.app.close();
    }
  });

  describe('token lookups', () => {
    it('answers a flood of unknown tokens 401 with at most one lookup per token, and malformed ones with none', async () => {
      const unknown = Array.from({ length: 5 }, madeUpToken);
      const spy = tokenLookups(probe.store);
      try {
        const answers = await Promise.all(unknown.flatMap((token) => Array.from({ length: 20 }, () => call(`${probe.url}/probe`, { token, ip: '192.0.2.1' }))));
        const again = await Promise.all(unknown.map((token) => call(`${probe.url}/probe`, { token, ip: '192.0.2.1' })));
        expect([...answers, ...again].every((a) => a.status === 401)).toBe(true);
        expect(countLookups(spy)).toBeLessThanOrEqual(unknown.length);
        expect(countLookups(spy)).toBeGreaterThan(0);

        const before = countLookups(spy);
        for (const token of ['rst_short', `rst_${'a'.repeat(42)}!`, `xyz_${'a'.repeat(43)}`, `rst_${'a'.repeat(44)}`]) {
          expect((await call(`${probe.url}/probe`, { token, ip: '192.0.2.1' })).status).toBe(401);
        }
        expect(countLookups(spy)).toBe(before);
      } finally {
        spy.mockRestore();
      }
    });

    it('shares one lookup between concurrent first uses of a token', async () => {
      const fresh = await probe.tokens.create({ orgId: 'org_sf', name: 'sf', kind: 'user' });
      const spy = tokenLookups(probe.store);
      try {
        const answers = await Promise.all(Array.from({ length: 8 }, () => call(`${probe.url}/probe`, { token: fresh.token })));
        expect(answers.every((a) => a.status === 200)).toBe(true);
        expect(countLookups(spy)).toBe(1);
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('handler deadline', () => {
    it('answers 503 with Retry-After, and the late handler writes nothing more', async () => {
      const token = (await probe.tokens.create({ orgId: 'org_slow', name: 'slow', kind: 'user' })).token;
      const finishedBefore = slowHandlersFinished;
      const port = new URL(probe.url).port;
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('error', reject);
        socket.write(`GET /probe/slow?ms=1500 HTTP/1.1\r\nHost: probe\r\nAuthorization: Bearer ${token}\r\n\r\n`);
        // Keep the connection open until the handler has finished, so a second answer would arrive here.
        const waitForHandler = setInterval(() => {
          if (slowHandlersFinished > finishedBefore) {
            clearInterval(waitForHandler);
            setTimeout(() => {
              socket.end();
              resolve(received);
            }, 200);
          }
        }, 50);
      });
      expect(raw.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 503']);
      expect(raw).toMatch(/retry-after: [1-9]/i);
      expect(raw).toMatch(/"error":"Service Unavailable"/);

      expect((await call(`${probe.url}/probe/slow?ms=10`, { token })).status).toBe(200);
    });
  });

  describe('malformed requests', () => {
    let token: string;
    // A fresh token per test, so the per-token budget (burst 10 here) never interferes.
    beforeEach(async () => {
      token = (await probe.tokens.create({ orgId: 'org_bad', name: 'bad', kind: 'user' })).token;
    });
    const post = (body: string, contentType?: string) =>
      call(`${probe.url}/probe`, { method: 'POST', token, body, headers: contentType ? { 'content-type': contentType } : {} });
    const fields = (answer: Answer) => (answer.body.errors as { field: string }[] | undefined)?.map((e) => e.field);

    it('400 naming body for bad JSON, empty JSON and prototype poisoning', async () => {
      for (const body of ['{"name": "x"', '{"__proto__": {"admin": true}, "name": "x"}', ' ']) {
        const answer = await post(body, 'application/json');
        expect(answer).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
        expect(fields(answer)).toEqual(['body']);
      }
      expect(await post('{"name": "ok"}', 'application/json')).toMatchObject({ status: 201, body: { name: 'ok' } });
    });

    it('400 for JSON that is not an object of the expected shape', async () => {
      for (const body of ['null', '[1]', '"text"', '42']) {
        const answer = await post(body, 'application/json');
        expect(answer.status).toBe(400);
        expect(answer.body.statusCode).toBe(400);
      }
    });

    it('415 for another content type, 413 for a body over the limit', async () => {
      expect(await post('name=x', 'application/x-www-form-urlencoded')).toMatchObject({
        status: 415,
        body: { statusCode: 415, error: 'Unsupported Media Type' },
      });
      expect(await post('name', 'text/plain')).toMatchObject({ status: 415 });
      const big = await post(JSON.stringify({ name: 'x'.repeat(2_000) }), 'application/json');
      expect(big).toMatchObject({ status: 413, body: { statusCode: 413, error: 'Payload Too Large' } });
      expect(big.body.message).toMatch(/1024 bytes/);
    });

    it('404 for an unknown method or route, 400 for a bad percent-encoding, 431 for huge headers', async () => {
      expect((await call(`${probe.url}/probe`, { method: 'PUT', token })).status).toBe(404);
      expect((await call(`${probe.url}/probe`, { method: 'DELETE', token })).status).toBe(404);
      const badUrl = await call(`${probe.url}/probe/items/%E0%A4%A`, { token });
      expect(badUrl.status).toBe(400);
      expect(fields(badUrl)).toEqual(['url']);
      expect((await call(`${probe.url}/probe`, { token, headers: { 'x-padding': 'x'.repeat(20_000) } })).status).toBe(431);
    });

    it('takes path parameters as long as a model name (512 characters, percent-encoded)', async () => {
      const name = 'é'.repeat(512);
      expect(await call(`${probe.url}/probe/items/${encodeURIComponent(name)}`, { token })).toMatchObject({ status: 200, body: { id: name } });
    });

    it('400 naming a query parameter given twice', async () => {
      const answer = await call(`${probe.url}/probe/slow?ms=1&ms=2`, { token });
      expect(answer.status).toBe(400);
      expect(fields(answer)).toEqual(['ms']);
    });

    it('500 with a request id for a bug, never its details', async () => {
      const answer = await call(`${probe.url}/probe/boom`, { token });
      expect(answer).toMatchObject({ status: 500, body: { statusCode: 500, error: 'Internal Server Error' } });
      expect(answer.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(answer.body)).not.toMatch(/injected/);
    });
  });
});
