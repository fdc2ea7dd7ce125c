import { randomInt } from 'node:crypto';
import { http } from '@runstream/testing';
import { loadControlConfig } from '../../apps/control/src/config/control.config';
import { ControlModule } from '../../apps/control/src/control.module';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { IngestModule } from '../../apps/ingest/src/ingest.module';
import { MetricsServer } from '../../apps/materializer/src/metrics/metrics.server';
import { loadQueryConfig } from '../../apps/query/src/config/query.config';
import { QueryModule } from '../../apps/query/src/query.module';
import { ControlInstance, startControl } from '../e2e/support-control';
import { bearer, startStack, Stack } from '../support/stack';
import { formatFindings, runCampaign } from './campaign';
import { closeAgent } from './client';
import { ControlWrites } from './control';
import { SendContext } from './payload';
import { discoverRoutes, FuzzRoute, routeKey } from './routes';

/**
 * Issue 10: generated malformed and hostile requests on every route of the ingest, query and control apps. None may
 * answer 5xx (503 and 429 only with Retry-After) or hang; every app's /health (the
 * materializer's too) answers 200 within a second throughout; and valid control writes sent
 * in between land exactly once. `npm test` sends FUZZ_REQUESTS (default 2,500); `npm run fuzz`
 * sends 10,000. FUZZ_SEED replays a run, FUZZ_CONCURRENCY (8) and FUZZ_LOG (JSON lines) help debug.
 */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2_500);
const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31 - 1));
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);
for (const [name, value] of Object.entries({ FUZZ_REQUESTS: REQUESTS, FUZZ_SEED: SEED, FUZZ_CONCURRENCY: CONCURRENCY })) {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not ${process.env[name]}`);
}

describe('fuzz: hostile requests on every route of every HTTP app', () => {
  let stack: Stack;
  let controlApp: ControlInstance;
  let routes: FuzzRoute[];
  let ctx: SendContext;
  let control: ControlWrites;
  let bodyLimit: number;

  beforeAll(async () => {
    stack = await startStack('fuzz');
    controlApp = await startControl(stack);
    const revoked = await stack.tokenService.create({ orgId: stack.orgId, name: 'revoked', kind: 'user' });
    await stack.tokenService.revoke(revoked.id);
    const controlOrg = `${stack.orgId}_ctl`;
    const controlToken = (await stack.tokenService.create({ orgId: controlOrg, name: 'control', kind: 'user' })).token;
    // Runs the hostile requests aim at: plain, targeted at the fuzzed gateway gw-1 (agent routes) or another, another organisation's.
    const createRun = async (body: Record<string, string>, token = stack.tokens.user): Promise<string> => {
      const created = await http<{ id: string }>(
        'POST',
        `${stack.ingestUrl}/api/elt/runs`,
        { projectId: 'fz-hostile', jobName: 'hostile', ...body },
        bearer(token),
      );
      expect(created.status).toBe(201);
      return created.body.id;
    };
    const gatewayRuns = [await createRun({ targetGateway: 'gw-1' }), await createRun({ targetGateway: 'gw-1' }), await createRun({ targetGateway: 'gw-1' })];
    const runs = [
      await createRun({}),
      await createRun({}),
      gatewayRuns[0],
      await createRun({ targetGateway: 'gw-2' }),
      await createRun({}, stack.tokens.otherOrg),
      `run_${'0'.repeat(32)}`,
    ];
    ctx = {
      tokens: {
        user: stack.tokens.user,
        gateway: stack.tokens.gateway,
        otherOrg: stack.tokens.otherOrg,
        otherGateway: stack.tokens.otherGateway,
        revoked: revoked.token,
      },
      orgs: { own: stack.orgId, other: controlOrg },
      runs,
      gatewayRuns,
    };
    control = new ControlWrites(stack.ingestUrl, stack.queryUrl, controlToken, `ctl-${SEED}`, String(SEED));
    bodyLimit = loadIngestConfig(stack.env).http.bodyLimitBytes;
    // Every route each app declares; another app joins with one line here and its URL in the campaign's `urls`.
    routes = [
      ...(await discoverRoutes('ingest', stack.ingestUrl, IngestModule.forRoot(loadIngestConfig(stack.env)).controllers ?? [])),
      ...(await discoverRoutes('query', stack.queryUrl, QueryModule.forRoot(loadQueryConfig(stack.env)).controllers ?? [])),
      ...(await discoverRoutes('control', controlApp.url, ControlModule.forRoot(loadControlConfig(stack.env)).controllers ?? [])),
    ];
  });

  afterAll(async () => {
    closeAgent();
    await controlApp?.app.close();
    await stack?.close();
  });

  it(
    `answers ${REQUESTS} generated requests without a 5xx or a hang, stays healthy, and loses no control write`,
    async () => {
      console.log(`fuzz: seed ${SEED}, ${REQUESTS} requests, concurrency ${CONCURRENCY}, ${routes.length} routes (replay: FUZZ_SEED=${SEED})`);
      const urls = { ingest: stack.ingestUrl, query: stack.queryUrl, control: controlApp.url };
      const healthUrls = [stack.ingestUrl, stack.queryUrl, controlApp.url, `http://127.0.0.1:${stack.materializer.get(MetricsServer).port()}`];
      const result = await runCampaign(routes, urls, healthUrls, ctx, control, {
        seed: SEED,
        requests: REQUESTS,
        concurrency: CONCURRENCY,
        controlEvery: 10,
        hangMs: 30_000,
        healthDeadlineMs: 1_000,
        shrinkMs: 45_000,
        shrinkGroups: 3,
        bodyLimit,
        logFile: process.env.FUZZ_LOG,
      });
      const landed = await control.verify(60_000);
      const table = Object.entries(result.statusesByRoute)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(
          ([route, statuses]) =>
            `  ${route}: ${Object.entries(statuses)
              .map(([status, n]) => `${status}×${n}`)
              .join(' ')}`,
        );
      console.log(
        [
          `fuzz: seed ${SEED}: ${result.sent} requests in ${(result.elapsedMs / 1000).toFixed(1)} s (${result.unsendable} refused by the client itself)`,
          `health: ${result.health.probes} probes, slowest ${Math.round(result.health.slowestMs)} ms, ${result.health.failures.length} over the deadline`,
          `control: ${control.acknowledged} acknowledged writes (${landed.runs} runs, ${landed.lines} log lines, ${landed.executions} executions), ${control.retries} retries`,
          'answers by route:',
          ...table,
        ].join('\n'),
      );

      expect(result.sent).toBe(REQUESTS);
      expect(routes.filter((route) => !result.statusesByRoute[routeKey(route)]).map(routeKey)).toEqual([]);
      expect(landed.runs * landed.lines * landed.executions).toBeGreaterThan(0);
      // One report of everything that went wrong, so a failing run shows all of it at once.
      const failures = [
        ...(result.findings.length ? [formatFindings(result, SEED, ctx, urls)] : []),
        ...result.health.failures.map((f) => `health: ${f.url} at +${f.atMs} ms: ${f.problem}`),
        ...landed.problems.map((problem) => `control: ${problem}`),
      ];
      expect(failures.length ? `fuzz seed ${SEED}:\n${failures.join('\n\n')}` : 'none').toBe('none');
    },
    REQUESTS * 100 + 300_000,
  );
});
