import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppMetrics } from '@runstream/observability';
import { sampleSum } from '@runstream/testing';
import { RetryLaterException } from '../errors/retry-later.exception';
import { OffLoopWorker, workerScript } from './off-loop-worker';

/** Worker threads for real: scripts written to a scratch directory, plain CommonJS. */
describe('OffLoopWorker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'off-loop-worker-'));
  const script = (name: string, source: string) => {
    writeFileSync(join(dir, `${name}.js`), source);
    return workerScript(dir, name);
  };
  const metrics = new AppMetrics('test');
  const workers: OffLoopWorker<number, number>[] = [];
  const worker = (file: string, maxQueued = 8) => {
    const created = new OffLoopWorker<number, number>(file, { name: file, maxQueued, waiting: 'tasks', metrics });
    workers.push(created);
    return created;
  };

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const unavailable = expect.objectContaining({ status: 503, retryAfterSeconds: 1 });
  const tasks = async (file: string, outcome: string) => sampleSum(await metrics.exposition(), 'runstream_worker_tasks_total', { worker: file, outcome });

  it('runs tasks on its thread', async () => {
    const file = script('double', 'module.exports = (n) => n * 2;');
    const double = worker(file);
    expect(await Promise.all([1, 2, 3].map((n) => double.run(n)))).toEqual([2, 4, 6]);
    expect(await tasks(file, 'done')).toBe(3);
  });

  it('answers 503 when a task throws, and keeps serving', async () => {
    const file = script('picky', "module.exports = (n) => { if (n < 0) throw new Error('negative'); return n; };");
    const picky = worker(file);
    await expect(picky.run(-1)).rejects.toEqual(unavailable);
    expect(await picky.run(5)).toBe(5);
    expect([await tasks(file, 'failed'), await tasks(file, 'done')]).toEqual([1, 1]);
  });

  it('answers 503 to the tasks past its queue bound, and reports its queue', async () => {
    const file = script('slow', 'module.exports = (ms) => { const end = Date.now() + ms; while (Date.now() < end); return ms; };');
    const slow = worker(file, 2);
    await slow.run(0); // the thread is up: every task below waits in the queue
    const answers = await Promise.allSettled([slow.run(200), slow.run(0), slow.run(0), slow.run(0), slow.run(0)]);
    expect(answers.filter((answer) => answer.status === 'rejected').map((answer) => answer.reason)).toEqual([unavailable, unavailable]);
    expect(await tasks(file, 'busy')).toBe(2);
    expect(sampleSum(await metrics.exposition(), 'runstream_worker_queue_depth', { worker: file })).toBe(0);
  });

  it('answers 503, not a crash, when its thread cannot load its script', async () => {
    const broken = worker(script('broken', "throw new Error('cannot load');"));
    const failed = await broken.run(1).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(RetryLaterException);
    expect(failed).toEqual(unavailable);
  });

  it('answers 503 once closed', async () => {
    const closing = worker(script('closing', 'module.exports = (n) => n;'));
    expect(await closing.run(1)).toBe(1);
    await closing.close();
    await expect(closing.run(2)).rejects.toEqual(unavailable);
  });

  it('refuses to start without its script', () => {
    expect(() => workerScript(dir, 'missing')).toThrow(/worker script missing\.js not found/);
  });
});
