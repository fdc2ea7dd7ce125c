import { eventually } from '@runstream/testing';
import { Change, ConflictError, NotFoundError, Runstream, RunStreamEvent } from '@runstream/sdk';
import { startStack, Stack } from '../support/stack';

/** The SDK against the apps wired as `npm start` wires them: a runner's whole lifecycle, then an export. */
describe('SDK against the stack', () => {
  let stack: Stack;
  let client: Runstream;
  const projectId = 'proj_sdk';

  beforeAll(async () => {
    stack = await startStack('sdk');
    client = new Runstream({ ingestUrl: stack.ingestUrl, queryUrl: stack.queryUrl, token: stack.tokens.user });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("creates and claims a gateway's own run under a key: a restarted runner gets the same run, a second one a ConflictError", async () => {
    const gateway = new Runstream({ ingestUrl: stack.ingestUrl, queryUrl: stack.queryUrl, token: stack.tokens.gateway });
    const body = { projectId: 'proj_sdk_gateway', jobName: 'sdk-gateway', cronjobName: 'sdk' };
    const key = `sdk-gateway-${Date.now()}`;
    // A runner that died between creating its run and claiming it.
    const created = await fetch(`${stack.ingestUrl}/api/agent/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.gateway}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
    const { id } = (await created.json()) as { id: string };

    const run = await gateway.createGatewayRun(body, key, { flushIntervalMs: 20 });
    expect(run.runId).toBe(id);
    await run.start();
    run.log('info', 'on my own');
    await expect(gateway.createGatewayRun(body, key)).rejects.toBeInstanceOf(ConflictError);
    await run.finish('succeeded');
    const read = await eventually(async () => {
      const response = await fetch(`${stack.queryUrl}/api/elt/runs/${id}`, { headers: { authorization: `Bearer ${stack.tokens.user}` } });
      const answer = (await response.json()) as { status: string; claimedBy: string; targetGateway: string };
      return answer.status === 'success' ? answer : undefined;
    }, 'the gateway run to succeed');
    expect(read).toMatchObject({ claimedBy: 'gw-1', targetGateway: 'gw-1' });
  });

  it('reports runs through the runner helper and exports them exactly once through the change feed, resuming from a stored cursor', async () => {
    const runIds: string[] = [];
    for (let r = 0; r < 3; r++) {
      const run = await client.createRun({ projectId, jobName: `sdk-${r}`, cronjobName: 'sdk' }, { flushIntervalMs: 50, telemetryIntervalMs: 50 });
      runIds.push(run.runId);
      await run.start({ telemetrySummary: { currentPhase: 'extract' } });
      for (let i = 0; i < 10; i++) {
        run.log('info', `run ${r} line ${i}`);
        run.sample({ rowsLoaded: i * 100 });
        if (i % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 60));
      }
      await run.finish(r === 2 ? 'failed' : 'succeeded', { telemetrySummary: { progress: 100 } });
    }

    // The write API recorded every line once, in order, and the final status.
    for (const [r, runId] of runIds.entries()) {
      const logs = await eventually(async () => {
        const response = await fetch(`${stack.queryUrl}/api/v1/runs/${runId}/logs`, { headers: { authorization: `Bearer ${stack.tokens.user}` } });
        const body = (await response.json()) as { logs: { message: string }[] };
        return body.logs.length === 10 ? body.logs : undefined;
      }, 'the run log');
      expect(logs.map((l) => l.message)).toEqual(Array.from({ length: 10 }, (_, i) => `run ${r} line ${i}`));
    }

    // Export: a first pass stops midway (the cursor is "stored"), a second resumes from it.
    const seen: Change[] = [];
    let stored: string | undefined;
    await eventually(async () => {
      for await (const page of client.changes({ projectId, cursor: stored, limit: 2 })) {
        seen.push(...page.changes);
        stored = page.cursor;
        if (seen.length >= 2 && seen.length < 4) break;
      }
      const runs = new Map(seen.flatMap((c) => (c.type === 'run' ? [[c.run.id, c.run.status]] : [])));
      return runIds.every((id, r) => runs.get(id) === (r === 2 ? 'failed' : 'success')) ? true : undefined;
    }, 'the export to hold every run in its final state');
    const positions = seen.map((c) => `${c.type === 'run' ? c.run.id : c.model_execution.id}@${c.log_position}`);
    expect(new Set(positions).size).toBe(positions.length);

    // Typed errors from the real apps: a finished run's status cannot change (409, not retried); an unknown run is 404.
    const { transport } = client;
    const conflict = await transport
      .call(() =>
        transport.write.PATCH('/api/elt/runs/{id}', {
          params: { path: { id: runIds[0] } },
          body: { status: 'running' },
          headers: { 'idempotency-key': 'sdk-e2e-409' },
        }),
      )
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(ConflictError);
    const missing = await transport
      .call(() => transport.read.GET('/api/v1/runs/{runId}', { params: { path: { runId: 'run_nope' } } }))
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotFoundError);

    // The checks: today's p95 is above 0 s; no model executions, so no regressions.
    const sla = await client.sla(projectId, 0, 7);
    expect(sla.breaches).toHaveLength(1);
    expect(sla.breaches[0].total_runs).toBe(3);
    const regressions = await client.regressions(projectId, { current: ['2026-02-08', '2026-02-14'], previous: ['2026-02-01', '2026-02-07'] });
    expect(regressions).toEqual({ min_change: 0.2, regressions: [], total: 0 });
  });

  it('streams a run live to its end: every line and sample once, in order, then the final status', async () => {
    const run = await client.createRun({ projectId, jobName: 'sdk-live', cronjobName: 'sdk' }, { flushIntervalMs: 20, telemetryIntervalMs: 20 });
    await run.start();
    // The stream opens on a materialized run (before that it is 404, as everywhere in the read API).
    await eventually(
      async () =>
        (await fetch(`${stack.queryUrl}/api/v1/runs/${run.runId}`, { headers: { authorization: `Bearer ${stack.tokens.user}` } })).ok ? true : undefined,
      'the run',
    );
    const events: RunStreamEvent[] = [];
    const following = (async () => {
      for await (const event of client.streamRun(run.runId)) events.push(event);
    })();
    for (let i = 0; i < 8; i++) {
      run.log('info', `live line ${i}`);
      run.sample({ rowsLoaded: i });
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await run.finish('succeeded');
    await following;
    const lines = events.flatMap((e) => (e.event === 'log' ? [e.data.message] : []));
    expect(lines).toEqual(Array.from({ length: 8 }, (_, i) => `live line ${i}`));
    const sampled = events.flatMap((e) => (e.event === 'sample' ? [e.data.rowsLoaded] : []));
    expect(sampled).toEqual([...sampled].sort((a, b) => Number(a) - Number(b)));
    expect(events[events.length - 1]).toMatchObject({ event: 'end', data: { status: 'success' } });
  });
});
