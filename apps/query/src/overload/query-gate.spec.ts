import { HttpException } from '@nestjs/common';
import { QueryGate } from './query-gate';

function deferred(): { promise: Promise<string>; resolve: (value: string) => void } {
  let resolve!: (value: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
}

async function statusOf(promise: Promise<unknown>): Promise<number | string> {
  try {
    return String(await promise);
  } catch (error) {
    return error instanceof HttpException ? error.getStatus() : 'other';
  }
}

describe('QueryGate', () => {
  it('runs at most maxConcurrent, queues at most maxQueued and turns the rest away with 503 at once', async () => {
    const gate = new QueryGate({ maxConcurrent: 2, maxQueued: 3, maxQueueWaitMs: 60_000 });
    const blockers = Array.from({ length: 10 }, deferred);
    let started = 0;
    const results = blockers.map((b) =>
      statusOf(
        gate.run(() => {
          started += 1;
          return b.promise;
        }),
      ),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(2);
    expect(gate.queued).toBe(3);
    expect(await Promise.all(results.slice(5))).toEqual([503, 503, 503, 503, 503]);
    blockers.forEach((b, i) => b.resolve(`done ${i}`));
    expect(await Promise.all(results.slice(0, 5))).toEqual(['done 0', 'done 1', 'done 2', 'done 3', 'done 4']);
    expect(started).toBe(5);
  });

  it('answers 503 to a waiter whose wait ran out, and never runs its work', async () => {
    const gate = new QueryGate({ maxConcurrent: 1, maxQueued: 5, maxQueueWaitMs: 20 });
    const blocker = deferred();
    const first = gate.run(() => blocker.promise);
    let lateRan = false;
    const late = statusOf(
      gate.run(async () => {
        lateRan = true;
        return 'late';
      }),
    );
    expect(await late).toBe(503);
    blocker.resolve('first');
    expect(await first).toBe('first');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lateRan).toBe(false);
    expect(gate.active + gate.queued).toBe(0);
  });

  it('passes a failure of the work through unchanged', async () => {
    const gate = new QueryGate({ maxConcurrent: 1, maxQueued: 0, maxQueueWaitMs: 1000 });
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});
