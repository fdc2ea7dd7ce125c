import { RunReportIncompleteError, Runstream } from '../src';
import { Recorded, testServer } from './test-server';

describe('SDK runner', () => {
  it('creates, starts, logs in order, samples, finishes: every write with its own Idempotency-Key, reused by its retry', async () => {
    let failedOnce = false;
    const server = await testServer((request: Recorded) => {
      if (request.method === 'POST') return { status: 201, body: { id: 'run_1', status: 'pending' } };
      const body = request.body as { appendLog?: { message: string } };
      // The write of "line 2" fails once in doubt: its retry must carry the same key.
      if (body.appendLog?.message === 'line 2' && !failedOnce) {
        failedOnce = true;
        return { status: 503, body: { message: 'may still be recorded' }, headers: { 'retry-after': '0' } };
      }
      return { status: 202, body: { id: 'run_1', status: 'running' } };
    });
    try {
      const client = new Runstream({ ingestUrl: server.url, token: 'tok', sleep: async () => undefined });
      const run = await client.createRun({ projectId: 'proj', jobName: 'nightly' }, { flushIntervalMs: 60_000, telemetryIntervalMs: 60_000 });
      expect(run.runId).toBe('run_1');
      await run.start();
      run.setSummary({ currentPhase: 'extract' });
      for (let i = 0; i < 4; i++) run.log('info', `line ${i}`);
      run.sample({ rowsLoaded: 10 });
      run.sample({ rowsLoaded: 20 });
      await run.finish('succeeded', { telemetrySummary: { progress: 100 } });

      const patches = server.requests.filter((r) => r.method === 'PATCH');
      const bodies = patches.map((r) => r.body);
      expect(bodies[0]).toEqual({ status: 'running' });
      expect(bodies[bodies.length - 1]).toEqual({ status: 'succeeded', telemetrySummary: { progress: 100 } });
      expect(bodies.filter((b) => (b as { appendTelemetrySample?: unknown }).appendTelemetrySample)).toEqual([{ appendTelemetrySample: { rowsLoaded: 20 } }]);
      const lines = patches.flatMap((r) => ((r.body as { appendLog?: { message: string } }).appendLog ? [r] : []));
      expect(lines.map((r) => (r.body as { appendLog: { message: string } }).appendLog.message)).toEqual(['line 0', 'line 1', 'line 2', 'line 2', 'line 3']);
      expect((lines[0].body as { telemetrySummary?: unknown }).telemetrySummary).toEqual({ currentPhase: 'extract' });
      // The retried line carries its first attempt's key; every other write a key of its own.
      expect(lines[2].headers['idempotency-key']).toBe(lines[3].headers['idempotency-key']);
      const keys = server.requests.map((r) => r.headers['idempotency-key']);
      expect(keys.every((k) => typeof k === 'string' && k.length > 0)).toBe(true);
      expect(new Set(keys).size).toBe(keys.length - 1);
      expect(patches.every((r) => r.url === '/api/elt/runs/run_1')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('claims a gateway run with a claimId and reports it on the agent route', async () => {
    const server = await testServer((request) => (request.url.endsWith('/claim') ? { status: 200, body: { id: 'run_9' } } : { status: 202, body: {} }));
    try {
      const client = new Runstream({ ingestUrl: server.url, token: 'gw', sleep: async () => undefined });
      const run = await client.claimRun('run_9', { flushIntervalMs: 60_000 });
      await run.start();
      await run.finish('failed', { errorSummary: 'boom' });
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /api/agent/runs/run_9/claim',
        'PATCH /api/agent/runs/run_9',
        'PATCH /api/agent/runs/run_9',
      ]);
      expect(typeof (server.requests[0].body as { claimId: string }).claimId).toBe('string');
    } finally {
      await server.close();
    }
  });

  it('still ends the run when a write before it failed for good, then throws RunReportIncompleteError counting the lines not sent', async () => {
    const server = await testServer((request) => {
      if (request.method === 'POST') return { status: 201, body: { id: 'run_2', status: 'pending' } };
      const body = request.body as { appendLog?: { message: string } };
      // "line 1" meets a broken server every time: the client gives up on it, and on the line after it.
      if (body.appendLog?.message === 'line 1') return { status: 400, body: { message: 'appendLog.message: refused' } };
      return { status: 202, body: { id: 'run_2', status: 'running' } };
    });
    try {
      const errors: unknown[] = [];
      const client = new Runstream({ ingestUrl: server.url, token: 'tok', sleep: async () => undefined });
      const run = await client.createRun({ projectId: 'proj', jobName: 'nightly' }, { flushIntervalMs: 60_000, onError: (error) => errors.push(error) });
      await run.start();
      for (let i = 0; i < 3; i++) run.log('info', `line ${i}`);
      await expect(run.flush()).rejects.toThrow('refused');
      expect(errors).toHaveLength(1);
      const finished = run.finish('failed', { errorSummary: 'boom' });
      await expect(finished).rejects.toBeInstanceOf(RunReportIncompleteError);
      await expect(finished).rejects.toMatchObject({ runId: 'run_2', linesNotSent: 2 });
      const patches = server.requests.filter((r) => r.method === 'PATCH').map((r) => r.body);
      expect(patches[patches.length - 1]).toEqual({ status: 'failed', errorSummary: 'boom' });
    } finally {
      await server.close();
    }
  });
});
