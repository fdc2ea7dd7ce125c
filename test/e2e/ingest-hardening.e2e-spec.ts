import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AnyRunEvent } from '@runstream/events';
import { listenUrl } from '@runstream/http';
import { eventually, http, JsonResponse, readTopic } from '@runstream/testing';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { bearer, startStack, Stack } from '../support/stack';

interface ErrorBody {
  statusCode: number;
  message: string;
  errors?: { field: string; reasons: string[] }[];
}

/** Issue 10: hostile input to the write API gets a 4xx naming the field, never a 500. */
describe('ingest hardening', () => {
  let stack: Stack;
  let user: Record<string, string>;
  const projectId = 'proj_hardening';

  beforeAll(async () => {
    stack = await startStack('ingest-hardening');
    user = bearer(stack.tokens.user);
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function createRun(body: Record<string, unknown> = {}): Promise<string> {
    const created = await http<{ id: string }>('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobName: 'job', ...body }, user);
    expect(created.status).toBe(201);
    return created.body.id;
  }

  const patch = (runId: string, body: unknown, headers = user) =>
    http<ErrorBody & { eventId: string }>('PATCH', `${stack.ingestUrl}/api/elt/runs/${runId}`, body, headers);
  const report = (runId: string, body: unknown) => http<ErrorBody>('POST', `${stack.ingestUrl}/api/elt/runs/${runId}/model-executions`, body, user);

  function expectBadField(response: JsonResponse<ErrorBody>, field: string): void {
    expect({ status: response.status, message: response.body.message }).toEqual({ status: 400, message: expect.stringContaining(field) });
    expect(response.body.errors?.map((e) => e.field)).toContain(field);
  }

  async function eventsOf(runId: string, count: number): Promise<AnyRunEvent[]> {
    const messages = await readTopic(
      (stack.env.KAFKA_BROKERS ?? '').split(','),
      `${stack.env.KAFKA_TOPIC_PREFIX}runs.events.v1`,
      count,
      20_000,
      (m) => m.key === runId,
    );
    return messages.map((m) => JSON.parse(m.value ?? '') as AnyRunEvent);
  }

  describe('timestamps that answered 500 (IsISO8601 took them, new Date did not)', () => {
    const execution = { model_name: 'orders.stg_orders', status: 'success', started_at: '2026-02-26T06:01:15Z' };

    it.each(['2026-W09', '20260226T0700Z', '2026-02-30T06:00:00Z', '2300-01-01T00:00:00Z'])('%s: 400 naming each timestamp field', async (value) => {
      const runId = await createRun();
      expectBadField(await patch(runId, { startedAt: value }), 'startedAt');
      expectBadField(await patch(runId, { finishedAt: value }), 'finishedAt');
      expectBadField(await patch(runId, { logEntries: [{ at: value, level: 'info', message: 'x' }] }), 'logEntries.0.at');
      expect((await patch(runId, { appendTelemetrySample: { at: value, rows: 1 } })).body.message).toContain('appendTelemetrySample.at');
      expect((await patch(runId, { telemetrySamples: [{ at: value, rows: 1 }] })).body.message).toContain('telemetrySamples.0.at');
      for (const field of ['started_at', 'completed_at', 'interval_start', 'interval_end']) {
        expectBadField(await report(runId, { executions: [{ ...execution, [field]: value }] }), `executions.0.${field}`);
      }
    });
  });

  describe('shapes, numbers and params', () => {
    it('answers 400 naming the field for arrays, nulls and scalars where objects belong', async () => {
      const runId = await createRun();
      for (const raw of ['[]', '"x"', '7', '[{"status":"running"}]']) expectBadField(await patch(runId, raw), 'body');
      expectBadField(await patch(runId, { appendLog: [] }), 'appendLog');
      expectBadField(await patch(runId, { logEntries: [[]] }), 'logEntries');
      expectBadField(await patch(runId, { appendLog: null }), 'body'); // null is absent: nothing left to apply
      expectBadField(await report(runId, { executions: [[]] }), 'executions');
      expectBadField(await report(runId, { executions: {} }), 'executions');
    });

    it('answers 400 for nesting deep enough to exhaust a recursive walk', async () => {
      const runId = await createRun();
      const deep = await patch(runId, `{"telemetrySummary":{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`);
      expect(deep.status).toBe(400);
      expect(deep.body.errors?.[0].field).toMatch(/^telemetrySummary\.a(\.0)+$/);
      expect((await patch(runId, `{"surprise":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`)).status).toBe(400);
    });

    it('keeps counts within what the UInt64 columns and JSON numbers hold', async () => {
      const runId = await createRun();
      const execution = { model_name: 'm', status: 'success', started_at: '2026-02-26T06:01:15Z' };
      for (const rows of [1e308, 2 ** 53, -1, 1.5, '5', true]) {
        expectBadField(await report(runId, { executions: [{ ...execution, rows_processed: rows }] }), 'executions.0.rows_processed');
      }
      expect(
        (await report(runId, `{"executions":[{"model_name":"m","status":"success","started_at":"2026-02-26T06:01:15Z","rows_processed":1e999}]}`)).status,
      ).toBe(400);
      expect((await report(runId, { executions: [{ ...execution, rows_processed: Number.MAX_SAFE_INTEGER, completed_at: null }] })).status).toBe(202);
    });

    it('answers 400 naming the run id or the query parameter', async () => {
      const gateway = bearer(stack.tokens.gateway);
      for (const limit of ['1e300', '1e1', '0x10', 'abc', '0', '101', '1.5'])
        expectBadField(await http<ErrorBody>('GET', `${stack.ingestUrl}/api/agent/runs?limit=${limit}`, undefined, gateway), 'limit');
      expect((await http('GET', `${stack.ingestUrl}/api/agent/runs?limit=1&limit=2`, undefined, gateway)).status).toBe(400);
      for (const id of ['run_%C3%A9', 'run%00', 'run_%F0%9F%92%A5', 'run%2F..', '-run']) {
        expectBadField(await patch(id, { status: 'running' }), 'id');
      }
      expectBadField(await patch('x'.repeat(129), { status: 'running' }), 'id');
      // The router refuses a path parameter over 8,192 characters before any handler runs.
      expect((await patch('x'.repeat(10_000), { status: 'running' })).status).toBe(414);
    });
  });

  describe('bodies parsed on the JSON worker thread (HTTP_JSON_WORKER_MIN_BYTES)', () => {
    it('answers every body as the event loop parser does', async () => {
      const onWorker: NestFastifyApplication = await createIngestApp(loadIngestConfig({ ...stack.env, HTTP_JSON_WORKER_MIN_BYTES: '1' }), false);
      const workerUrl = await listenUrl(onWorker, 0, '127.0.0.1');
      try {
        const runId = await createRun();
        const bodies = [
          '{"status":',
          '[]',
          '"x"',
          '{"telemetrySummary":{"__proto__":{"status":"success"}}}',
          '{"telemetrySummary":{"constructor":1}}',
          `{"telemetrySummary":{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}}`,
          JSON.stringify({ telemetrySamples: Array.from({ length: 2_001 }, () => ({ a: 1 })) }),
          JSON.stringify({ telemetrySummary: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) }),
          JSON.stringify({ appendLog: { level: 'loud', message: 'm' } }),
          JSON.stringify({ appendLog: { level: 'info', message: 'from either parser' } }),
        ];
        for (const body of bodies) {
          const [inline, worker] = [await patch(runId, body), await http<ErrorBody>('PATCH', `${workerUrl}/api/elt/runs/${runId}`, body, user)];
          expect({ body, status: worker.status, message: worker.body.message }).toEqual({ body, status: inline.status, message: inline.body.message });
        }
        const [, fromLoop, fromWorker] = await eventsOf(runId, 3);
        expect([fromLoop.payload, fromWorker.payload]).toEqual([
          { append_log: expect.objectContaining({ message: 'from either parser' }) },
          { append_log: expect.objectContaining({ message: 'from either parser' }) },
        ]);
      } finally {
        await onWorker.close();
      }
    });

    it('refuses a large body of the wrong shape before its token is checked, as invalid JSON is', async () => {
      const runId = await createRun();
      const deep = `{"telemetrySummary":{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
      expect((await patch(runId, deep, {})).status).toBe(400);
      expect((await patch(runId, '{"status":', {})).status).toBe(400);
      expect((await patch(runId, { telemetrySummary: { constructor: 1 } }, {})).status).toBe(401);
    });

    it('parses and scrubs a large write on the workers by default, as it would in place', async () => {
      const runId = await createRun();
      const logEntries = Array.from({ length: 100 }, (_, i) => ({
        at: '2026-02-26T06:00:00Z',
        level: 'info',
        message: `line ${i} postgres://etl:hunter2@db/wh ${'x'.repeat(900)}`,
      }));
      const body = { errorSummary: 'login failed: password=hunter2', telemetrySummary: { dsn: 'postgres://etl:hunter2@db/wh' }, logEntries };
      expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(64 * 1024);
      expect((await patch(runId, body)).status).toBe(202);
      const [, patched] = await eventsOf(runId, 2);
      const payload = patched.payload as { error_summary: string; telemetry_summary: Record<string, string>; log_entries: { message: string }[] };
      expect(payload.error_summary).toBe('login failed: password=[REDACTED]');
      expect(payload.telemetry_summary).toEqual({ dsn: 'postgres://etl:[REDACTED]@db/wh' });
      expect(payload.log_entries).toHaveLength(100);
      expect(payload.log_entries[99].message).toMatch(/^line 99 postgres:\/\/etl:\[REDACTED\]@db\/wh x+$/);
    });
  });

  describe('telemetrySummary keys are data, never a prototype lookup', () => {
    it('stores Object.prototype names as plain keys and scrubs string values', async () => {
      const runId = await createRun();
      const summary = { hasOwnProperty: 1, toString: 'x', currentResource: 'postgres://etl:hunter2@db/wh' };
      expect((await patch(runId, { telemetrySummary: summary })).status).toBe(202);
      const [, patched] = await eventsOf(runId, 2);
      expect(patched.payload).toEqual({ telemetry_summary: { hasOwnProperty: 1, toString: 'x', currentResource: 'postgres://etl:[REDACTED]@db/wh' } });
      const stored = await eventually(async () => {
        const run = await http<{ telemetry?: { summary?: Record<string, unknown> } }>('GET', `${stack.queryUrl}/api/elt/runs/${runId}`, undefined, user);
        const read = run.body.telemetry?.summary ?? {};
        return read['hasOwnProperty'] === 1 ? read : undefined;
      }, 'the summary in the read model');
      expect(stored).toEqual({ hasOwnProperty: 1, toString: 'x', currentResource: 'postgres://etl:[REDACTED]@db/wh' });
    });

    it('refuses the names JavaScript reserves, naming them', async () => {
      const runId = await createRun();
      expectBadField(await patch(runId, { telemetrySummary: { constructor: 1 } }), 'telemetrySummary.constructor');
      expectBadField(await patch(runId, { telemetrySummary: { prototype: 'x' } }), 'telemetrySummary.prototype');
      expect((await patch(runId, '{"telemetrySummary":{"__proto__":{"status":"success"}}}')).status).toBe(400);
    });

    it('bounds one PATCH of the summary in keys and bytes', async () => {
      const runId = await createRun();
      const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]));
      expectBadField(await patch(runId, { telemetrySummary: wide }), 'telemetrySummary');
    });
  });

  it('answers 413 naming the largest field when a body under the body limit encodes to an event over the topic limit', async () => {
    const runId = await createRun();
    // Samples gain `at` and a `values` wrapper in the event (7 bytes become ~50), log lines a
    // millisecond fraction: together past the topic's limit, from a body under 1 MiB.
    const body = {
      telemetrySamples: Array.from({ length: 2000 }, () => ({ a: 1 })),
      logEntries: Array.from({ length: 500 }, () => ({ at: '2026-02-26T06:00:00Z', level: 'info', message: 'x'.repeat(1_950) })),
    };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(1024 * 1024);
    const response = await patch(runId, body);
    expect(response.status).toBe(413);
    expect(response.body.errors?.[0].field).toBe('logEntries');
    expect(response.body.message).toMatch(/^logEntries: the event this write makes is \d+ bytes; one event may be at most \d+/);
    expect((await patch(runId, { appendLog: { level: 'info', message: 'after' } })).status).toBe(202);
    const events = await eventsOf(runId, 2);
    expect(events.map((e) => e.type)).toEqual(['run.created', 'run.patched']);
  });

  describe('idempotency and claims', () => {
    const gateway = () => bearer(stack.tokens.gateway);
    const claim = (url: string, runId: string, headers: Record<string, string>, body?: unknown) =>
      http<ErrorBody & { claimId: string; claimedBy: string }>('POST', `${url}/api/agent/runs/${runId}/claim`, body, headers);

    async function claimableRun(): Promise<string> {
      const runId = await createRun({ targetGateway: 'gw-1' });
      await eventually(async () => {
        const listed = await http<{ runs: { id: string }[] }>('GET', `${stack.ingestUrl}/api/agent/runs`, undefined, gateway());
        return listed.body.runs.some((run) => run.id === runId) ? true : undefined;
      }, 'the run in the gateway poll');
      return runId;
    }

    async function secondGatewayToken(): Promise<Record<string, string>> {
      return bearer((await stack.tokenService.create({ orgId: stack.orgId, name: `gw-1-agent-${Date.now()}`, kind: 'gateway', gateway: 'gw-1' })).token);
    }

    it('lets one of two agents sending the same Idempotency-Key to /claim win: one 200, one 409', async () => {
      const runId = await claimableRun();
      const other = await secondGatewayToken();
      const key = { 'idempotency-key': `claim-${runId}` };
      const answers = await Promise.all([claim(stack.ingestUrl, runId, { ...gateway(), ...key }), claim(stack.ingestUrl, runId, { ...other, ...key })]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    });

    it('never caches GET, whatever Idempotency-Key it carries', async () => {
      const headers = { ...gateway(), 'idempotency-key': 'poll' };
      await http('GET', `${stack.ingestUrl}/api/agent/runs`, undefined, headers);
      const runId = await createRun({ targetGateway: 'gw-1' });
      await eventually(async () => {
        const listed = await http<{ runs: { id: string }[] }>('GET', `${stack.ingestUrl}/api/agent/runs`, undefined, headers);
        return listed.body.runs.some((run) => run.id === runId) ? true : undefined;
      }, 'the new run in a poll with the same key');
    });

    it('tells a retried claim that it won, on another instance too, while another claimer still gets 409', async () => {
      const second: NestFastifyApplication = await createIngestApp(loadIngestConfig(stack.env), false);
      const secondUrl = await listenUrl(second, 0, '127.0.0.1');
      try {
        const runId = await claimableRun();
        const key = { 'idempotency-key': `attempt-${runId}` };
        const first = await claim(stack.ingestUrl, runId, { ...gateway(), ...key });
        expect(first.status).toBe(200);
        // The first answer lost on the way: the retry reaches an instance that never saw the key.
        const retried = await claim(secondUrl, runId, { ...gateway(), ...key });
        expect({ status: retried.status, claimId: retried.body.claimId }).toEqual({ status: 200, claimId: first.body.claimId });
        expect((await claim(secondUrl, runId, gateway())).status).toBe(409);
        expect((await claim(secondUrl, runId, { ...(await secondGatewayToken()), ...key })).status).toBe(409);
      } finally {
        await second.close();
      }
    });

    it('recognises a retry by claimId in the body, bound to the token that sent it', async () => {
      const runId = await claimableRun();
      const first = await claim(stack.ingestUrl, runId, gateway(), { claimId: 'attempt-1' });
      expect(first.status).toBe(200);
      const retried = await claim(stack.ingestUrl, runId, gateway(), { claimId: 'attempt-1' });
      expect({ status: retried.status, claimId: retried.body.claimId }).toEqual({ status: 200, claimId: first.body.claimId });
      expect((await claim(stack.ingestUrl, runId, await secondGatewayToken(), { claimId: 'attempt-1' })).status).toBe(409);
      expectBadField(await claim(stack.ingestUrl, runId, gateway(), { claimId: 'no spaces' }), 'claimId');
    });

    it('scopes a write key to the token and route: the same key on another run is a 422, not its answer', async () => {
      const [a, b] = [await createRun(), await createRun()];
      const headers = { ...user, 'idempotency-key': `shared-${a}` };
      expect((await patch(a, { status: 'running' }, headers)).status).toBe(202);
      expect((await patch(b, { status: 'running' }, headers)).status).toBe(422);
      const otherToken = bearer((await stack.tokenService.create({ orgId: stack.orgId, name: `user-${Date.now()}`, kind: 'user' })).token);
      expect((await patch(b, { status: 'running' }, { ...otherToken, 'idempotency-key': `shared-${a}` })).status).toBe(202);
    });
  });
});
