import { createServer as createHttpServer, request, Server as HttpServer } from 'node:http';
import { createServer, connect, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { encodeEvent, RunEventEnvelope, uuidv7 } from '@runstream/events';
import { createKafka, KafkajsPublisher } from '@runstream/kafka';
import { eventually, http, REPO_ROOT, sampleSum } from '@runstream/testing';
import { RunningAgent, startAgent } from '../../apps/agent/src/agent';
import { AgentConfig } from '../../apps/agent/src/config';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { bearer, startStack, Stack } from '../support/stack';

const FAKE_BIN = join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'bin');

async function announce(stack: Stack, jobName: string, argv: string[]): Promise<string> {
  const config = loadIngestConfig(stack.env);
  const publisher = new KafkajsPublisher(createKafka(config.kafka));
  await publisher.connect();
  const runId = `run_${uuidv7().replace(/-/g, '')}`;
  const event = {
    event_id: uuidv7(),
    type: 'run.created',
    schema_version: 1,
    org_id: stack.orgId,
    project_id: 'proj_agent',
    run_id: runId,
    occurred_at: new Date().toISOString(),
    actor: 'control',
    payload: {
      job_id: 'job_agent',
      job_name: jobName,
      cronjob_name: '',
      namespace: '',
      job_type: 'run',
      triggered_by: 'manual',
      target_gateway: 'gw-1',
      command_argv: argv,
    },
  } as RunEventEnvelope<'run.created'>;
  await publisher.publish(config.kafka.topics.events, [{ key: runId, value: encodeEvent(event) }]);
  await publisher.disconnect();
  return runId;
}

/** An agent polling fast through `ingestUrl` with the stack's gateway token, its log lines kept in `logged`. */
function fastAgent(stack: Stack, ingestUrl: string, logged: string[], overrides: Partial<AgentConfig> = {}, env?: NodeJS.ProcessEnv): RunningAgent {
  const config: AgentConfig = {
    ingestUrl,
    gatewayToken: stack.tokens.gateway,
    concurrency: 1,
    pollIntervalMs: 100,
    heartbeatMs: 200,
    logFlushMs: 50,
    extraPath: FAKE_BIN,
    inheritEnv: [],
    killGraceMs: 3_000,
    maxRunSeconds: 0,
    shutdownReportMs: 10_000,
    ...overrides,
  };
  return startAgent(config, { env, logger: { log: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) } });
}

interface ReadRun {
  status: string;
  logEntries: { message: string }[];
}

function readRun(stack: Stack, runId: string): Promise<ReadRun> {
  return http<ReadRun>('GET', `${stack.queryUrl}/api/elt/runs/${runId}`, undefined, bearer(stack.tokens.user)).then((answer) => answer.body);
}

/**
 * The agent against an ingest whose per-token budget is far below what a chatty program
 * produces: polls, claims and PATCHes get 429 with Retry-After, and still every line and the
 * final status arrive, in few log entries (batched), without the agent giving up.
 */
describe('runner agent under a tight rate limit', () => {
  let stack: Stack;
  let agent: RunningAgent | undefined;
  const logged: string[] = [];

  beforeAll(async () => {
    stack = await startStack('agent-retries', { RATE_LIMIT_PER_SECOND: '3', RATE_LIMIT_BURST: '3' });
  });

  afterAll(async () => {
    await agent?.stop();
    await stack?.close();
  });

  it('delivers all 2,000 lines of a chatty program and its final status', async () => {
    const runId = await announce(stack, 'proj_agent-chatty', ['dbt', 'build', '--select', 'chatty']);

    agent = fastAgent(stack, stack.ingestUrl, logged, { concurrency: 2 });
    const run = await eventually(
      async () => {
        const answer = await readRun(stack, runId);
        return answer.status === 'success' ? answer : undefined;
      },
      `the chatty run to succeed (agent said: ${logged.slice(-3).join(' | ')})`,
      90_000,
      250,
    );

    const lines = run.logEntries.flatMap((entry) => entry.message.split('\n'));
    const chatty = lines.filter((line) => / chatty line \d+ of 2000$/.test(line));
    expect(chatty).toHaveLength(2000);
    expect(new Set(chatty.map((line) => line.replace(/^\S+\s+/, ''))).size).toBe(2000); // each once, none twice
    expect(lines[lines.length - 1]).toMatch(/Done\. PASS=4/);
    // 2,000 lines of ~35 characters in entries of up to 10,000: a handful of PATCHes, not 2,000.
    expect(run.logEntries.length).toBeLessThan(40);
    // The budget was really exceeded: ingest refused some requests (counted on its side) and the
    // agent said it was pausing, then came back.
    const metrics = await (await fetch(`${stack.ingestUrl}/metrics`)).text();
    expect(sampleSum(metrics, 'runstream_http_request_duration_seconds_count', { app: 'ingest', status_code: '429' })).toBeGreaterThan(0);
    expect(logged.some((line) => /^ingest answered 429: pausing requests for \d+ s \(Retry-After\)$/.test(line))).toBe(true);
  });
});

/** A TCP proxy to ingest that the test can cut (every connection reset, nothing accepted) and restore. */
class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    const server = this.server;
    const closed = new Promise<void>((resolve) => server?.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

/** Ingest unreachable for a while during a run: output and the final status still arrive, once. */
describe('runner agent while ingest is unreachable', () => {
  let stack: Stack;
  let agent: RunningAgent | undefined;
  let proxy: CuttableProxy;
  const logged: string[] = [];

  beforeAll(async () => {
    stack = await startStack('agent-outage');
    proxy = new CuttableProxy(new URL(stack.ingestUrl));
    await proxy.open();
  });

  afterAll(async () => {
    await agent?.stop();
    await proxy?.cut();
    await stack?.close();
  });

  it('keeps the output and reports the final status once ingest is back', async () => {
    const runId = await announce(stack, 'proj_agent-outage', ['dbt', 'build']);
    agent = fastAgent(
      stack,
      `http://127.0.0.1:${proxy.port}`,
      logged,
      { inheritEnv: ['FAKE_DBT_SLEEP_SECONDS'] },
      {
        ...process.env,
        FAKE_DBT_SLEEP_SECONDS: '4',
      },
    );
    await eventually(async () => ((await readRun(stack, runId)).status === 'running' ? true : undefined), 'the run to start', 30_000, 100);
    await proxy.cut();
    // The program finishes while ingest is out of reach (4 s of work, 6 s cut).
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect((await readRun(stack, runId)).status).toBe('running');
    await proxy.open();

    const run = await eventually(
      async () => {
        const answer = await readRun(stack, runId);
        return answer.status === 'success' ? answer : undefined;
      },
      `the run to succeed (agent said: ${logged.slice(-3).join(' | ')})`,
      60_000,
      200,
    );
    const lines = run.logEntries.flatMap((entry) => entry.message.split('\n'));
    for (const second of [0, 1, 2, 3]) expect(lines.filter((line) => line.endsWith(`still working (${second} s)`))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('Done. PASS=4'))).toHaveLength(1);
  });
});

/**
 * An HTTP proxy to ingest that, while `swallowing`, forwards each claim and waits for ingest's
 * answer, then drops the connection instead of passing it on: the claim is decided, the agent
 * cannot learn how.
 */
class ClaimSwallowingProxy {
  swallowing = true;
  swallowed = 0;
  readonly claimIds: string[] = [];
  private server?: HttpServer;
  port = 0;

  constructor(private readonly target: string) {}

  async open(): Promise<void> {
    const server = createHttpServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        const claim = incoming.method === 'POST' && /\/claim$/.test(incoming.url ?? '');
        if (claim) this.claimIds.push((JSON.parse(body.toString('utf8')) as { claimId: string }).claimId);
        const upstream = request(new URL(incoming.url ?? '/', this.target), { method: incoming.method, headers: incoming.headers }, (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (part: Buffer) => parts.push(part));
          answer.on('end', () => {
            if (claim && this.swallowing) {
              this.swallowed += 1;
              incoming.socket.destroy();
              return;
            }
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(parts));
          });
        });
        upstream.on('error', () => outgoing.destroy());
        upstream.end(body);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A claim ingest decided but whose answer never reached the agent: asked again with the same claimId, and the run is run. */
describe('runner agent whose claim answer is lost', () => {
  let stack: Stack;
  let agent: RunningAgent | undefined;
  let proxy: ClaimSwallowingProxy;
  const logged: string[] = [];

  beforeAll(async () => {
    stack = await startStack('agent-claims');
    proxy = new ClaimSwallowingProxy(stack.ingestUrl);
    await proxy.open();
  });

  afterAll(async () => {
    await agent?.stop();
    await proxy?.close();
    await stack?.close();
  });

  it('asks again at each poll with the same claimId until it learns it won, then runs the run', async () => {
    const runId = await announce(stack, 'proj_agent-claims', ['dbt', 'build']);
    agent = fastAgent(stack, `http://127.0.0.1:${proxy.port}`, logged, { claimRetryMs: 1_000 });
    // The first claim won inside ingest, and its retries (the same attempt) and the polls' re-asks were all cut off.
    await eventually(
      async () => (logged.some((line) => line.includes(`run ${runId}: claim outcome unknown`)) && proxy.swallowed >= 3 ? true : undefined),
      `the claim to be undecided (agent said: ${logged.slice(-3).join(' | ')})`,
      30_000,
      100,
    );
    proxy.swallowing = false;
    await eventually(
      async () => ((await readRun(stack, runId)).status === 'success' ? true : undefined),
      `the run to succeed (agent said: ${logged.slice(-3).join(' | ')})`,
      60_000,
      200,
    );
    expect(new Set(proxy.claimIds).size).toBe(1);
  });
});
