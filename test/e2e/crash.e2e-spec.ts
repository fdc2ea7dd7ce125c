import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEvent, RunEventEnvelope, uuidv7 } from '@runstream/events';
import { createKafka, ensureTopics, KafkajsPublisher, runTopicSpecs } from '@runstream/kafka';
import { eventually, isolatedEnv, REPO_ROOT } from '@runstream/testing';
import { Kafka } from 'kafkajs';
import { loadMaterializerConfig, MaterializerConfig } from '../../apps/materializer/src/config/materializer.config';

const RUNS = 1500;

/** A run's history: created, running, then success or failed with report-time durations. */
function history(projectId: string, index: number): RunEventEnvelope[] {
  const runId = `run_crash_${index}`;
  const envelope = { schema_version: 1, org_id: 'org_crash', project_id: projectId, run_id: runId, actor: 'tok' };
  const start = Date.UTC(2026, 1, 1 + (index % 20), 6, 0, 0);
  const at = (ms: number) => new Date(start + ms).toISOString();
  return [
    {
      ...envelope,
      event_id: uuidv7(),
      type: 'run.created',
      occurred_at: at(0),
      payload: {
        job_id: '',
        job_name: `job-${index}`,
        cronjob_name: `cron-${index % 4}`,
        namespace: '',
        job_type: 'run',
        triggered_by: 'scheduled',
        target_gateway: '',
      },
    },
    {
      ...envelope,
      event_id: uuidv7(),
      type: 'run.patched',
      occurred_at: at(1000),
      payload: { status: 'running', append_log: { at: at(1000), level: 'info', message: 'go' } },
    },
    {
      ...envelope,
      event_id: uuidv7(),
      type: 'model_executions.reported',
      occurred_at: at(2000),
      payload: {
        executions: [
          {
            id: `exec_${index}`,
            model_name: `m${index % 7}`,
            status: 'success',
            started_at: at(1000),
            completed_at: at(1000 + index * 37),
            rows_processed: index,
            bytes_processed: null,
            interval_start: null,
            interval_end: null,
          },
        ],
      },
    },
    {
      ...envelope,
      event_id: uuidv7(),
      type: 'run.patched',
      occurred_at: at(1000 + ((index * 7919) % 600_000)),
      payload: { status: index % 9 === 0 ? 'failed' : 'success' },
    },
  ] as RunEventEnvelope[];
}

/**
 * A real materializer process is killed with SIGKILL in the middle of the stream and
 * restarted; its tables must equal those of an uninterrupted materialization of the same log
 * (another group, another database). chDB binds a data directory to one process, so every
 * process that opens it is a child started after the previous one exited, never the test.
 */
describe('materializer crash (kill -9 mid-batch) and restart', () => {
  let env: NodeJS.ProcessEnv;
  let config: MaterializerConfig;
  let kafka: Kafka;

  beforeAll(async () => {
    env = {
      ...process.env,
      ...isolatedEnv('crash'),
      // The child process owns this chDB directory while it runs; the test opens it after.
      CLICKHOUSE_PATH: mkdtempSync(join(tmpdir(), 'runstream-crash-')),
      MATERIALIZER_MAX_BATCH_SIZE: '100',
      MATERIALIZER_FLUSH_INTERVAL_MS: '5',
      MATERIALIZER_MAX_BYTES_IN_FLIGHT: String(64 * 1024),
      TZ: 'UTC',
    };
    config = loadMaterializerConfig(env);
    kafka = createKafka(config.kafka);
    await ensureTopics(kafka, runTopicSpecs(config.kafka));
    const publisher = new KafkajsPublisher(kafka);
    await publisher.connect();
    const events = Array.from({ length: RUNS }, (_, i) => history('proj_crash', i)).flat();
    await publisher.publish(
      config.kafka.topics.events,
      events.map((e) => ({ key: e.run_id, value: encodeEvent(e) })),
    );
    await publisher.disconnect();
  });

  const children: ChildProcess[] = [];

  afterEach(() => {
    // A failed assertion must not leave a materializer running (it would keep jest alive).
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  function startMaterializer(overrides: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'apps', 'materializer', 'src', 'main.js')], {
      env: { ...env, ...overrides },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  async function committed(groupId = config.groupId): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId, topics: [config.kafka.topics.events] });
      return topic.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async function runToCompletion(overrides: NodeJS.ProcessEnv, groupId: string, total: number): Promise<void> {
    const child = startMaterializer(overrides);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await eventually(async () => ((await committed(groupId)) === total ? true : undefined), `group ${groupId} to catch up`, 120_000);
    child.kill('SIGTERM');
    await exited;
  }

  /** Snapshots of both databases, read by a child process (see above). */
  function snapshots(databases: string[]): Record<string, unknown>[] {
    const script = `
      const { anyRow, openClickHouse, snapshotReadModels } = require(${JSON.stringify(join(REPO_ROOT, 'dist', 'libs', 'clickhouse', 'src'))});
      (async () => {
        const out = [];
        for (const database of ${JSON.stringify(databases)}) {
          const store = openClickHouse({ path: ${JSON.stringify(env.CLICKHOUSE_PATH)}, database });
          const tables = await snapshotReadModels(store);
          const [stats] = await store.query(anyRow, 'SELECT toUInt32(sum(total_runs)) AS n, toUInt32(sum(failed_count)) AS failed FROM {db:Identifier}.run_daily_stats');
          out.push({ tables, stats });
          await store.close();
        }
        process.stdout.write(JSON.stringify(out));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    return JSON.parse(execFileSync(process.execPath, ['-e', script], { env, maxBuffer: 512 * 1024 * 1024 }).toString()) as Record<string, unknown>[];
  }

  it('serves the same numbers as a materialization that never crashed', async () => {
    const total = RUNS * 4;
    const first = startMaterializer();
    const exited = new Promise((resolve) => first.once('exit', resolve));
    await eventually(async () => ((await committed()) > total / 10 ? true : undefined), 'some committed progress', 60_000, 5);
    first.kill('SIGKILL');
    await exited;
    const atCrash = await committed();
    expect(atCrash).toBeLessThan(total);

    await runToCompletion({}, config.groupId, total);
    const referenceDatabase = `${config.clickhouse.database}_reference`;
    await runToCompletion(
      { CLICKHOUSE_DATABASE: referenceDatabase, MATERIALIZER_GROUP_ID: `${config.groupId}-reference` },
      `${config.groupId}-reference`,
      total,
    );

    const [crashed, reference] = snapshots([config.clickhouse.database, referenceDatabase]);
    expect((crashed.tables as Record<string, unknown[]>).runs).toHaveLength(RUNS);
    expect(crashed.stats).toEqual({ n: RUNS, failed: Math.ceil(RUNS / 9) });
    expect(crashed.tables).toEqual(reference.tables);
  });
});
