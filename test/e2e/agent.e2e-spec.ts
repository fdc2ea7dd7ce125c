import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEvent, RunEventEnvelope, uuidv7 } from '@runstream/events';
import { createKafka, KafkajsPublisher } from '@runstream/kafka';
import { eventually, http, REPO_ROOT } from '@runstream/testing';
import { RunningAgent, startAgent } from '../../apps/agent/src/agent';
import { AgentConfig } from '../../apps/agent/src/config';
import { ExecutorLogger } from '@runstream/executor';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { bearer, startStack, Stack } from '../support/stack';

const FAKE_BIN = join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'bin');
const TERMINAL = ['success', 'partial', 'failed', 'error', 'cancelled'];

interface EltRun {
  status: string;
  claimedBy: string;
  startedAt: string | null;
  finishedAt: string | null;
  errorSummary: string;
  logEntries: { level: string; message: string }[];
  telemetry: { summary: Record<string, unknown>; samples: Record<string, number | string>[] };
}

/**
 * The runner agent (issue 11, local backend) on the real stack: runs are created as
 * run.created events with an argv targeted at gateway gw-1 (as the control plane does), an
 * in-process agent with the gateway's token runs them with fake dbt/sqlmesh executables on
 * its PATH, and everything is read back through the read API.
 */
describe('runner agent', () => {
  let stack: Stack;
  let publisher: KafkajsPublisher;
  let topic: string;
  const agents: RunningAgent[] = [];
  const logged: string[] = [];
  const logger: ExecutorLogger = { log: (m) => logged.push(m), warn: (m) => logged.push(`WARN ${m}`), error: (m) => logged.push(`ERROR ${m}`) };

  beforeAll(async () => {
    stack = await startStack('agent');
    const config = loadIngestConfig(stack.env);
    topic = config.kafka.topics.events;
    publisher = new KafkajsPublisher(createKafka(config.kafka));
    await publisher.connect();
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
  });

  afterAll(async () => {
    await publisher?.disconnect();
    await stack?.close();
  });

  function agentConfig(overrides: Partial<AgentConfig> = {}): AgentConfig {
    return {
      ingestUrl: stack.ingestUrl,
      gatewayToken: stack.tokens.gateway,
      concurrency: 2,
      pollIntervalMs: 200,
      heartbeatMs: 300,
      logFlushMs: 100,
      extraPath: FAKE_BIN,
      inheritEnv: [],
      killGraceMs: 3_000,
      maxRunSeconds: 0,
      shutdownReportMs: 10_000,
      ...overrides,
    };
  }

  function agent(overrides: Partial<AgentConfig> = {}, env: NodeJS.ProcessEnv = process.env): RunningAgent {
    const started = startAgent(agentConfig(overrides), { logger, env });
    agents.push(started);
    return started;
  }

  /** A pending run for gateway gw-1, announced the way the control plane announces one. */
  async function createRun(argv?: string[]): Promise<string> {
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
        job_name: `proj_agent-job-${runId.slice(-6)}`,
        cronjob_name: '',
        namespace: '',
        job_type: 'run',
        triggered_by: 'manual',
        target_gateway: 'gw-1',
        ...(argv ? { command_argv: argv } : {}),
      },
    } as RunEventEnvelope<'run.created'>;
    await publisher.publish(topic, [{ key: runId, value: encodeEvent(event) }]);
    return runId;
  }

  async function read(runId: string): Promise<EltRun> {
    const answer = await http<EltRun>('GET', `${stack.queryUrl}/api/elt/runs/${runId}`, undefined, bearer(stack.tokens.user));
    if (answer.status !== 200) throw new Error(`GET run ${runId}: ${answer.status}`);
    return answer.body;
  }

  function finished(runId: string, timeoutMs = 60_000): Promise<EltRun> {
    return eventually(
      async () => {
        const run = await read(runId);
        return TERMINAL.includes(run.status) ? run : undefined;
      },
      `run ${runId} to end (agent said: ${logged.slice(-5).join(' | ')})`,
      timeoutMs,
      200,
    );
  }

  it('runs dbt build to success: batched log lines with levels, progress, heartbeat samples', async () => {
    const runId = await createRun(['dbt', 'build', '--select', 'tag:nightly']);
    agent();
    const run = await finished(runId);
    expect(run.status).toBe('success');
    expect(run.claimedBy).toBe('gw-1');
    expect(run.startedAt).not.toBeNull();
    expect(run.errorSummary).toBe('');

    const logs = await http<{ logs: { level: string; message: string }[] }>(
      'GET',
      `${stack.queryUrl}/api/v1/runs/${runId}/logs`,
      undefined,
      bearer(stack.tokens.user),
    );
    expect(logs.status).toBe(200);
    const lines = logs.body.logs.flatMap((entry) => entry.message.split('\n').map((message) => ({ level: entry.level, message })));
    expect(lines.filter((l) => / of 4 OK created sql table model/.test(l.message))).toHaveLength(4);
    expect(lines).toContainEqual({ level: 'warn', message: 'stderr: a deprecation warning from an adapter' });
    expect(lines.find((l) => l.message.includes('Done. PASS=4'))?.level).toBe('info');
    // Lines arriving within the flush window travel together.
    expect(logs.body.logs.length).toBeLessThan(lines.length);

    expect(run.telemetry.summary).toMatchObject({ progress: 100, currentPhase: 'finished', currentResource: 'main.model_4', exitCode: 0 });
    expect(run.telemetry.samples.length).toBeGreaterThan(0);
    expect(run.telemetry.samples.every((s) => typeof s.elapsedSeconds === 'number')).toBe(true);
  });

  it('runs sqlmesh and reads its progress; the child gets the run id but never the gateway token', async () => {
    const sqlmesh = await createRun(['sqlmesh', 'run']);
    const debug = await createRun(['dbt', 'debug']);
    agent({}, { ...process.env, RUNSTREAM_GATEWAY_TOKEN: stack.tokens.gateway, AGENT_PATH: FAKE_BIN });
    const [sqlmeshRun, debugRun] = await Promise.all([finished(sqlmesh), finished(debug)]);
    expect(sqlmeshRun.status).toBe('success');
    expect(sqlmeshRun.telemetry.summary).toMatchObject({ progress: 100, currentResource: 'sushi.model_3' });
    expect(debugRun.status).toBe('success');
    const seen = debugRun.logEntries.map((entry) => entry.message).join('\n');
    expect(seen).toContain('env: RUNSTREAM_RUN_ID');
    expect(seen).toContain('env: PATH');
    expect(seen).not.toContain('RUNSTREAM_GATEWAY_TOKEN');
    expect(seen).not.toContain('AGENT_PATH');
  });

  it('a program exiting 3 ends failed with the exit code and the lines that explain it', async () => {
    const runId = await createRun(['dbt', 'build', '--select', 'failing']);
    agent();
    const run = await finished(runId);
    expect(run.status).toBe('failed');
    expect(run.errorSummary).toMatch(/^exited with code 3\n/);
    expect(run.logEntries.flatMap((e) => e.message.split('\n'))).toContain('[agent] exited with code 3');
    expect(run.errorSummary).toContain('Database Error in model model_4');
    expect(run.errorSummary.length).toBeLessThanOrEqual(2_100);
    expect(run.telemetry.summary).toMatchObject({ exitCode: 3 });
    const errorLines = run.logEntries.filter((e) => e.level === 'error').flatMap((e) => e.message.split('\n'));
    expect(errorLines.some((l) => l.includes('4 of 4 ERROR creating'))).toBe(true);
    expect(errorLines.some((l) => l.includes('Done. PASS=3 WARN=0 ERROR=1'))).toBe(true);
  });

  it('a program not on the PATH, or no command at all, ends failed with a clear reason', async () => {
    const missing = await createRun(['dbt', 'build']);
    const empty = await createRun();
    agent({ extraPath: undefined }, { PATH: '/usr/bin:/bin', HOME: process.env.HOME });
    const [missingRun, emptyRun] = await Promise.all([finished(missing), finished(empty)]);
    expect(missingRun.status).toBe('failed');
    expect(missingRun.errorSummary).toBe("dbt: command not found on the agent's PATH (/usr/bin:/bin); install it there or set AGENT_PATH");
    expect(emptyRun.status).toBe('failed');
    expect(emptyRun.errorSummary).toBe('run has no command');
    // The run's log says why too: the program wrote none.
    expect(missingRun.logEntries.map((e) => [e.level, e.message])).toContainEqual([
      'error',
      "[agent] dbt: command not found on the agent's PATH (/usr/bin:/bin); install it there or set AGENT_PATH",
    ]);
    expect(emptyRun.logEntries.map((e) => [e.level, e.message])).toContainEqual(['error', '[agent] run has no command']);
  });

  it('two agents competing for the same runs execute each run exactly once', async () => {
    const record = mkdtempSync(join(tmpdir(), 'runstream-agent-'));
    const runIds: string[] = [];
    for (let i = 0; i < 6; i++) runIds.push(await createRun(['dbt', 'build']));
    const env = { ...process.env, FAKE_DBT_RECORD_DIR: record };
    agent({ concurrency: 3, inheritEnv: ['FAKE_DBT_RECORD_DIR'] }, env);
    agent({ concurrency: 3, inheritEnv: ['FAKE_DBT_RECORD_DIR'], pollIntervalMs: 150 }, env);
    const runs = await Promise.all(runIds.map((id) => finished(id)));
    expect(runs.map((r) => r.status)).toEqual(runIds.map(() => 'success'));
    const executions = readFileSync(join(record, 'executions.log'), 'utf8').trim().split('\n').sort();
    expect(executions).toEqual([...runIds].sort());
  });

  /** Processes whose environment carries this run id: the program and whatever it started (Linux /proc). */
  function processesOf(runId: string): number[] {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`RUNSTREAM_RUN_ID=${runId}`);
        } catch {
          return false; // gone meanwhile, or not ours to read
        }
      })
      .map(Number);
  }

  it('stops a program that runs past AGENT_MAX_RUN_SECONDS and fails its run with the reason, freeing its slot', async () => {
    const runId = await createRun(['dbt', 'run', '--select', 'slow']);
    agent({ maxRunSeconds: 2, concurrency: 1 });
    const run = await finished(runId, 30_000);
    expect(run.status).toBe('failed');
    expect(run.errorSummary.split('\n')[0]).toBe('ran longer than its limit of 2 s (AGENT_MAX_RUN_SECONDS); stopped');
    expect(processesOf(runId)).toEqual([]);
    // The one slot is free again: the next run is executed.
    const next = await createRun(['dbt', 'build']);
    expect((await finished(next, 30_000)).status).toBe('success');
  });

  it('stop() while a long program runs ends its run cancelled, and the program is gone', async () => {
    const runId = await createRun(['dbt', 'run', '--select', 'slow']);
    const killGraceMs = 30_000;
    const running = agent({ killGraceMs });
    await eventually(
      async () => {
        const run = await read(runId);
        return run.status === 'running' && run.logEntries.some((e) => e.message.includes('still working')) ? run : undefined;
      },
      'the slow program to run',
      30_000,
      200,
    );
    // Heartbeats: samples keep coming while the program runs, each later than the one before.
    const beating = await eventually(
      async () => {
        const run = await read(runId);
        return run.telemetry.samples.length >= 3 ? run : undefined;
      },
      'three heartbeat samples',
      30_000,
      200,
    );
    const elapsed = beating.telemetry.samples.map((s) => Number(s.elapsedSeconds));
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
    expect(new Set(elapsed).size).toBe(elapsed.length);
    expect(beating.telemetry.summary.agentHeartbeatAt).toEqual(expect.any(String));
    expect(processesOf(runId).length).toBeGreaterThanOrEqual(2); // the shell and its sleep
    const stopping = Date.now();
    await running.stop();
    const stopTook = Date.now() - stopping;
    const run = await finished(runId, 20_000);
    expect(run.status).toBe('cancelled');
    expect(run.errorSummary).toBe('agent stopped');
    // The fake dbt dies on SIGTERM at once: stop() did not need the SIGKILL grace period.
    expect(stopTook).toBeLessThan(killGraceMs);
    // The whole process group got the signal, the program's own children too.
    expect(processesOf(runId)).toEqual([]);
    const lines = run.logEntries.flatMap((e) => e.message.split('\n'));
    expect(lines.some((l) => l.includes('Finished running'))).toBe(false);
  });
});
