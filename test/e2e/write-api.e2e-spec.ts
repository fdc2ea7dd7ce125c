import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AnyRunEvent } from '@runstream/events';
import { listenUrl } from '@runstream/http';
import { eventually, http, readTopic } from '@runstream/testing';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { createIngestApp } from '../../apps/ingest/src/ingest.app';
import { bearer, startStack, Stack } from '../support/stack';

/** The runner write API (issue 3), with every accepted write asserted as an event on Kafka. */
describe('write API', () => {
  let stack: Stack;
  let user: Record<string, string>;
  const projectId = 'proj_write';

  beforeAll(async () => {
    stack = await startStack('write-api');
    user = bearer(stack.tokens.user);
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function createRun(body: Record<string, unknown> = {}): Promise<string> {
    const created = await http<{ id: string }>('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobName: 'job', cronjobName: 'hourly', ...body }, user);
    expect(created.status).toBe(201);
    return created.body.id;
  }

  function patch(runId: string, body: unknown, headers = user) {
    return http<{ eventId: string; message: string; status: string; errors: { field: string }[] }>(
      'PATCH',
      `${stack.ingestUrl}/api/elt/runs/${runId}`,
      body,
      headers,
    );
  }

  async function eventsOf(runId: string, count: number): Promise<AnyRunEvent[]> {
    const brokers = (stack.env.KAFKA_BROKERS ?? '').split(',');
    const topic = `${stack.env.KAFKA_TOPIC_PREFIX}runs.events.v1`;
    const messages = await readTopic(brokers, topic, count, 20_000, (m) => m.key === runId);
    return messages.map((m) => JSON.parse(m.value ?? '') as AnyRunEvent);
  }

  describe('authentication', () => {
    it('needs a valid token of the right kind on every route but health', async () => {
      expect((await http('GET', `${stack.ingestUrl}/health`)).status).toBe(200);
      expect((await http('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobName: 'j' })).status).toBe(401);
      expect((await http('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobName: 'j' }, bearer('rst_made_up'))).status).toBe(401);
      expect((await http('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobName: 'j' }, bearer(stack.tokens.gateway))).status).toBe(403);
      expect((await http('GET', `${stack.ingestUrl}/api/agent/runs`, undefined, user)).status).toBe(403);
      expect((await http('GET', `${stack.queryUrl}/api/v1/projects/${projectId}/runs`)).status).toBe(401);
    });

    it('refuses a revoked token', async () => {
      const created = await stack.tokenService.create({ orgId: stack.orgId, name: 'short-lived', kind: 'user' });
      expect(await stack.tokenService.revoke(created.id)).toBe(true);
      expect((await http('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobName: 'j' }, bearer(created.token))).status).toBe(401);
    });

    it("answers 404 for another organisation's run, as for a missing one", async () => {
      const runId = await createRun();
      expect((await patch(runId, { status: 'running' }, bearer(stack.tokens.otherOrg))).status).toBe(404);
    });
  });

  it('turns one PATCH with every field into one event, scrubbed, with server times', async () => {
    const runId = await createRun();
    const response = await patch(runId, {
      status: 'running',
      startedAt: '2026-02-26T06:00:00+01:00',
      errorSummary: 'auth failed for postgres://etl:hunter2@db/warehouse',
      appendLog: { level: 'warn', message: 'retrying with password=hunter2' },
      telemetrySummary: { rowsLoaded: 1200, progress: 12.5, currentPhase: 'extract', custom: 'x' },
      appendTelemetrySample: { rowsLoaded: 1200 },
    });
    expect(response.status).toBe(202);
    const replace = await patch(runId, {
      logEntries: [{ at: '2026-02-26T06:00:01Z', level: 'info', message: 'token=abc123 ok' }],
      telemetrySamples: [{ at: '2026-02-26T06:00:02Z', rowsLoaded: 5, bytesLoaded: 10 }],
    });
    expect(replace.status).toBe(202);

    const [created, patched, replaced] = await eventsOf(runId, 3);
    expect(created).toMatchObject({
      type: 'run.created',
      schema_version: 1,
      org_id: stack.orgId,
      project_id: projectId,
      run_id: runId,
      actor: expect.stringMatching(/^tok_/),
    });
    expect(patched.event_id).toBe(response.body.eventId);
    expect(patched).toMatchObject({
      type: 'run.patched',
      payload: {
        status: 'running',
        started_at: '2026-02-26T05:00:00.000Z',
        error_summary: 'auth failed for postgres://etl:[REDACTED]@db/warehouse',
        append_log: { level: 'warn', message: 'retrying with password=[REDACTED]', at: patched.occurred_at },
        telemetry_summary: { rowsLoaded: 1200, progress: 12.5, currentPhase: 'extract', custom: 'x' },
        append_telemetry_sample: { at: patched.occurred_at, values: { rowsLoaded: 1200 } },
      },
    });
    expect(replaced.payload).toEqual({
      log_entries: [{ at: '2026-02-26T06:00:01.000Z', level: 'info', message: 'token=[REDACTED] ok' }],
      telemetry_samples: [{ at: '2026-02-26T06:00:02.000Z', values: { rowsLoaded: 5, bytesLoaded: 10 } }],
    });
  });

  it('answers 400 naming each bad field, nested ones included', async () => {
    const runId = await createRun();
    const response = await patch(runId, {
      status: 'exploded',
      appendLog: { level: 'debug', message: 'x' },
      logEntries: [{ at: 'yesterday', level: 'info', message: 'x' }],
      telemetrySummary: { progress: 140, rowsLoaded: -1 },
      appendTelemetrySample: { at: 'soon', rows: 'many' },
      surprise: true,
    });
    expect(response.status).toBe(400);
    const fields = response.body.errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['status', 'appendLog.level', 'logEntries.0.at', 'telemetrySummary', 'appendTelemetrySample', 'surprise']));
    expect(response.body.message).toContain('telemetrySummary.progress must be a number from 0 to 100');
    expect(response.body.message).toContain('telemetrySummary.rowsLoaded must be a number >= 0');
    expect(response.body.message).toContain('appendTelemetrySample.rows must be a finite number');
    expect((await patch(runId, {})).status).toBe(400);
    const tooLong = await patch(runId, { appendLog: { level: 'info', message: 'x'.repeat(10_001) } });
    expect(tooLong.body.message).toContain('appendLog.message');
    const tooMany = await patch(runId, { logEntries: Array.from({ length: 2001 }, () => ({ at: '2026-02-26T06:00:01Z', level: 'info', message: 'x' })) });
    expect(tooMany.body.message).toContain('logEntries');
  });

  it('caps a longer log replace server-side: the run keeps its last 500 lines', async () => {
    const runId = await createRun();
    const lines = Array.from({ length: 600 }, (_, n) => ({ at: '2026-02-26T06:00:01Z', level: 'info', message: `line ${n}` }));
    expect((await patch(runId, { logEntries: lines })).status).toBe(202);
    const [, replaced] = await eventsOf(runId, 2);
    const kept = (replaced.payload as { log_entries?: { message: string }[] }).log_entries ?? [];
    expect(kept.map((line) => line.message)).toEqual(lines.slice(100).map((line) => line.message));
  });

  it('answers 413 for a body over the limit', async () => {
    const runId = await createRun();
    const response = await patch(runId, { errorSummary: 'x'.repeat(1_100_000) });
    expect(response.status).toBe(413);
  });

  it('answers GET /api/elt/runs/:id on its own port too (the read API answers it), so a runner needs one base URL', async () => {
    const runId = await createRun();
    expect((await patch(runId, { status: 'running', appendLog: { level: 'info', message: 'one base URL' } })).status).toBe(202);
    const read = await eventually(async () => {
      const answer = await http<{ id: string; status: string; logEntries: { message: string }[] }>(
        'GET',
        `${stack.ingestUrl}/api/elt/runs/${runId}`,
        undefined,
        user,
      );
      return answer.status === 200 && answer.body.status === 'running' ? answer.body : undefined;
    }, 'the run read back through ingest');
    expect(read.logEntries.map((entry) => entry.message)).toEqual(['one base URL']);
    const direct = await http('GET', `${stack.queryUrl}/api/elt/runs/${runId}`, undefined, user);
    expect(direct.body).toEqual(read);
    // The read API checks the token, as when asked directly; another organisation's run is a 404.
    expect((await http('GET', `${stack.ingestUrl}/api/elt/runs/${runId}`, undefined, {})).status).toBe(401);
    expect((await http('GET', `${stack.ingestUrl}/api/elt/runs/${runId}`, undefined, bearer(stack.tokens.otherOrg))).status).toBe(404);
  });

  it('answers 503 with Retry-After for GET /api/elt/runs/:id while the read API cannot be reached', async () => {
    const cut: NestFastifyApplication = await createIngestApp(loadIngestConfig({ ...stack.env, INGEST_QUERY_URL: 'http://127.0.0.1:1' }), false);
    try {
      const cutUrl = await listenUrl(cut, 0, '127.0.0.1');
      const answer = await fetch(`${cutUrl}/api/elt/runs/run_x`, { headers: user });
      expect({ status: answer.status, retryAfter: answer.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
    } finally {
      await cut.close();
    }
  });

  it('keeps a terminal run terminal: 409 with the current status', async () => {
    const runId = await createRun();
    expect((await patch(runId, { status: 'succeeded' })).status).toBe(202);
    const again = await patch(runId, { status: 'running' });
    expect(again.status).toBe(409);
    expect(again.body.status).toBe('success');
    expect((await patch(runId, { appendLog: { level: 'info', message: 'post-run note' } })).status).toBe(202);
  });

  it('refuses a status change to a run another writer ended since this instance last saw it (409), instead of accepting it for the fold to drop', async () => {
    const runId = await createRun();
    expect((await patch(runId, { status: 'running' })).status).toBe(202);
    // Another ingest instance (as the control plane's lease sweeper would) ends the run; this one still remembers it running.
    const other: NestFastifyApplication = await createIngestApp(loadIngestConfig(stack.env), false);
    try {
      const otherUrl = await listenUrl(other, 0, '127.0.0.1');
      const ended = await http('PATCH', `${otherUrl}/api/elt/runs/${runId}`, { status: 'error', errorSummary: 'lease expired' }, user);
      expect(ended.status).toBe(202);
    } finally {
      await other.close();
    }
    await eventually(async () => {
      const read = await http<{ status: string }>('GET', `${stack.queryUrl}/api/elt/runs/${runId}`, undefined, user);
      return read.body.status === 'error' ? true : undefined;
    }, 'the ended run in the read model');
    const late = await patch(runId, { status: 'succeeded' });
    expect(late.status).toBe(409);
    expect(late.body.status).toBe('error');
    // Logs and telemetry still need no read: they are taken as before.
    expect((await patch(runId, { appendLog: { level: 'info', message: 'late line' } })).status).toBe(202);
  });

  it('appends no second event for a retried Idempotency-Key', async () => {
    const runId = await createRun();
    const headers = { ...user, 'idempotency-key': `retry-${runId}` };
    const body = { appendLog: { level: 'info', message: 'once' } };
    const [first, second] = await Promise.all([patch(runId, body, headers), patch(runId, body, headers)]);
    const third = await patch(runId, body, headers);
    expect([first.status, second.status, third.status]).toEqual([202, 202, 202]);
    expect(new Set([first.body.eventId, second.body.eventId, third.body.eventId]).size).toBe(1);
    expect((await patch(runId, { appendLog: { level: 'info', message: 'other' } }, headers)).status).toBe(422);
    await patch(runId, { status: 'running' });
    const events = await eventsOf(runId, 3);
    expect(events.map((e) => e.type)).toEqual(['run.created', 'run.patched', 'run.patched']);
    expect(events[2].payload).toEqual({ status: 'running' });
  });

  it('takes up to 1,000 model executions in one event', async () => {
    const runId = await createRun();
    const execution = (i: number) => ({
      model_name: `orders.model_${i % 45}`,
      status: i % 10 === 0 ? 'failed' : 'succeeded',
      started_at: '2026-02-26T06:01:15Z',
      completed_at: '2026-02-26T06:03:45.234Z',
      rows_processed: 1250000,
      bytes_processed: 524288000,
      interval_start: '2026-02-25T00:00:00Z',
      interval_end: '2026-02-26T00:00:00Z',
    });
    const url = `${stack.ingestUrl}/api/elt/runs/${runId}/model-executions`;
    const accepted = await http<{ executions: { id: string }[] }>('POST', url, { executions: Array.from({ length: 1000 }, (_, i) => execution(i)) }, user);
    expect(accepted.status).toBe(202);
    expect(accepted.body.executions).toHaveLength(1000);
    const tooMany = await http<{ message: string }>('POST', url, { executions: Array.from({ length: 1001 }, (_, i) => execution(i)) }, user);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain('executions');
    const backwards = await http<{ message: string }>('POST', url, { executions: [{ ...execution(1), completed_at: '2026-02-26T06:00:00Z' }] }, user);
    expect(backwards.status).toBe(400);
    expect(backwards.body.message).toContain('executions.0.completed_at');

    const [, reported] = await eventsOf(runId, 2);
    expect(reported.type).toBe('model_executions.reported');
    const executions = (reported.payload as { executions: { id: string; status: string; started_at: string }[] }).executions;
    expect(executions).toHaveLength(1000);
    expect(executions[1]).toMatchObject({ id: accepted.body.executions[1].id, status: 'success', started_at: '2026-02-26T06:01:15.000Z' });
    expect(executions[0].status).toBe('failed');
  });

  describe('agents', () => {
    const gateway = () => bearer(stack.tokens.gateway);

    async function claimableRun(): Promise<string> {
      const runId = await createRun({ targetGateway: 'gw-1' });
      await eventually(async () => {
        const listed = await http<{ runs: { id: string }[] }>('GET', `${stack.ingestUrl}/api/agent/runs`, undefined, gateway());
        return listed.body.runs.some((run) => run.id === runId) ? true : undefined;
      }, 'the run in the gateway poll');
      return runId;
    }

    it('lets exactly one of two racing ingest instances win a claim', async () => {
      const second: NestFastifyApplication = await createIngestApp(loadIngestConfig(stack.env), false);
      const secondUrl = await listenUrl(second, 0, '127.0.0.1');
      try {
        const runId = await claimableRun();
        const claims = await Promise.all(
          [stack.ingestUrl, secondUrl].map((url) => http<{ claimedBy: string }>('POST', `${url}/api/agent/runs/${runId}/claim`, undefined, gateway())),
        );
        expect(claims.map((c) => c.status).sort()).toEqual([200, 409]);
        expect(claims.find((c) => c.status === 200)?.body.claimedBy).toBe('gw-1');
        const late = await http('POST', `${stack.ingestUrl}/api/agent/runs/${runId}/claim`, undefined, gateway());
        expect(late.status).toBe(409);
        const polled = await http<{ runs: { id: string }[] }>('GET', `${stack.ingestUrl}/api/agent/runs`, undefined, gateway());
        expect(polled.body.runs.map((run) => run.id)).not.toContain(runId);
      } finally {
        await second.close();
      }
    });

    it("keeps other gateways' runs out of reach and lets the claimer report", async () => {
      const runId = await claimableRun();
      expect((await http('POST', `${stack.ingestUrl}/api/agent/runs/${runId}/claim`, undefined, bearer(stack.tokens.otherGateway))).status).toBe(404);
      expect((await http('POST', `${stack.ingestUrl}/api/agent/runs/${runId}/claim`, undefined, gateway())).status).toBe(200);
      const url = `${stack.ingestUrl}/api/agent/runs/${runId}`;
      expect((await http('PATCH', url, { status: 'running' }, bearer(stack.tokens.otherGateway))).status).toBe(404);
      expect((await http('PATCH', url, { status: 'running', appendLog: { level: 'info', message: 'started' } }, gateway())).status).toBe(202);
      const events = await eventsOf(runId, 3);
      expect(events.map((e) => e.type)).toEqual(['run.created', 'run.claimed', 'run.patched']);
    });
  });
});
