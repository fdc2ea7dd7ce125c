import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetryLaterException } from '../errors/retry-later.exception';
import { OffLoopWorker, workerScript } from './off-loop-worker';

/** Worker threads for real: scripts written to a scratch directory, plain CommonJS. */
describe('OffLoopWorker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'off-loop-worker-'));
  const script = (name: string, source: string) => {
    writeFileSync(join(dir, `${name}.js`), source);
    return workerScript(dir, name);
  };
  const options = { maxQueued: 8, waiting: 'tasks' };
  const workers: OffLoopWorker<number, number>[] = [];
  const worker = (file: string) => {
    const created = new OffLoopWorker<number, number>(file, options);
    workers.push(created);
    return created;
  };

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const unavailable = expect.objectContaining({ status: 503, retryAfterSeconds: 1 });

  it('runs tasks on its thread', async () => {
    const double = worker(script('double', 'module.exports = (n) => n * 2;'));
    expect(await Promise.all([1, 2, 3].map((n) => double.run(n)))).toEqual([2, 4, 6]);
  });

  it('answers 503 when a task throws, and keeps serving', async () => {
    const picky = worker(script('picky', "module.exports = (n) => { if (n < 0) throw new Error('negative'); return n; };"));
    await expect(picky.run(-1)).rejects.toEqual(unavailable);
    expect(await picky.run(5)).toBe(5);
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
