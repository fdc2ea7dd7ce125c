import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka } from '@runstream/kafka';
import { eventually, isolatedEnv, REPO_ROOT } from '@runstream/testing';
import { loadMaterializerConfig } from '../../apps/materializer/src/config/materializer.config';

/** The built materializer as a process of its own (its own chDB directory: chDB binds one to a process), and what it printed. */
function startMaterializer(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'apps', 'materializer', 'src', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}

/**
 * The fold orders a run's events by offset within one partition, so the materializer must not
 * fold under a partition count other than the one its read models were built under: started
 * after `kafka-topics --alter --partitions`, it stops at once, before consuming anything.
 */
describe('materializer: the partition count its read models were folded under', () => {
  const dir = mkdtempSync(join(tmpdir(), 'partition-layout-'));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records the count on first start, starts again under it, and exits 1 under another one, naming both', async () => {
    const env = { ...process.env, ...isolatedEnv('partition-layout'), CLICKHOUSE_PATH: join(dir, 'chdb'), LOG_LEVEL: 'log', LOG_FORMAT: 'json' };
    const topic = loadMaterializerConfig(env).kafka.topics.events;
    const consuming = `consuming ${topic}`;

    for (let start = 0; start < 2; start += 1) {
      const running = startMaterializer(env);
      await eventually(
        async () => (running.output().includes(consuming) ? true : undefined),
        `the materializer to consume (it said: ${running.output()})`,
        60_000,
        100,
      );
      running.child.kill('SIGTERM');
      // Nest closes the app, then re-raises the signal: no exit code, or 0.
      expect([0, null]).toContain(await running.exited);
    }

    const admin = createKafka(loadMaterializerConfig(env).kafka).admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    } finally {
      await admin.disconnect();
    }
    const refused = startMaterializer(env);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain(`${topic} has 4 partitions, but its read models were folded under 3`);
    expect(refused.output()).not.toContain(consuming);
  }, 180_000);
});
