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

/** Requests through `gate` named by the caller, each held until released; `started` lists them as they start. */
function namedRequests(gate: QueryGate) {
  const blockers = new Map<string, ReturnType<typeof deferred>>();
  const started: string[] = [];
  const run = (owner: string, name: string) => {
    const blocker = deferred();
    blockers.set(name, blocker);
    return gate.run(owner, () => {
      started.push(name);
      return blocker.promise;
    });
  };
  const release = (name: string) => blockers.get(name)?.resolve(name);
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { run, release, started, settle };
}

describe('QueryGate', () => {
  it('runs at most maxConcurrent, queues at most maxQueued and turns the rest away with 503 at once', async () => {
    const gate = new QueryGate({ maxConcurrent: 2, maxQueued: 3, maxQueueWaitMs: 60_000 });
    const blockers = Array.from({ length: 10 }, deferred);
    let started = 0;
    const results = blockers.map((b, i) =>
      statusOf(
        gate.run(`org-${i}`, () => {
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
    const first = gate.run('org-a', () => blocker.promise);
    let lateRan = false;
    const late = statusOf(
      gate.run('org-b', async () => {
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
    await expect(gate.run('org-a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run('org-a', async () => 'next')).toBe('next');
  });

  it('lets a lone organisation use the whole gate, and in a full queue makes the organisation holding most of it give up its newest place (503)', async () => {
    const gate = new QueryGate({ maxConcurrent: 2, maxQueued: 4, maxQueueWaitMs: 60_000 });
    const blocker = deferred();
    const started: string[] = [];
    const run = (owner: string) =>
      statusOf(
        gate.run(owner, () => {
          started.push(owner);
          return blocker.promise;
        }),
      );
    const heavy = Array.from({ length: 6 }, () => run('heavy'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['heavy', 'heavy']);
    expect(gate.queued).toBe(4);
    const others = [run('other'), run('other')];
    // Two of heavy's four places went to other; a third request of other finds heavy holding no more than it does.
    expect(await Promise.all(heavy.slice(4))).toEqual([503, 503]);
    expect(await run('other')).toBe(503);
    blocker.resolve('done');
    expect(await Promise.all([...heavy.slice(0, 4), ...others])).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
    expect(gate.active + gate.queued).toBe(0);
  });

  it('hands a freed slot to the waiter whose organisation runs the fewest requests, the longest waiting among equals', async () => {
    const gate = new QueryGate({ maxConcurrent: 3, maxQueued: 8, maxQueueWaitMs: 60_000 });
    const { run, release, started, settle } = namedRequests(gate);
    const all = [run('a', 'a1'), run('a', 'a2'), run('a', 'a3'), run('a', 'a4'), run('b', 'b1'), run('c', 'c1')];
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3']);
    release('a1');
    await settle();
    // a4 waited longer, but a still runs two requests and b none.
    expect(started).toEqual(['a1', 'a2', 'a3', 'b1']);
    release('a2');
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3', 'b1', 'c1']);
    release('b1');
    await settle();
    expect(started).toEqual(['a1', 'a2', 'a3', 'b1', 'c1', 'a4']);
    for (const name of ['a3', 'a4', 'c1']) release(name);
    expect(await Promise.all(all)).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'c1']);
  });

  it('takes turns between organisations on a single slot: the one served last waits for the others', async () => {
    const gate = new QueryGate({ maxConcurrent: 1, maxQueued: 8, maxQueueWaitMs: 60_000 });
    const { run, release, started, settle } = namedRequests(gate);
    const all = [run('a', 'a1'), run('a', 'a2'), run('a', 'a3'), run('b', 'b1'), run('c', 'c1')];
    for (const name of ['a1', 'b1', 'c1', 'a2', 'a3']) {
      await settle();
      expect(started.at(-1)).toBe(name);
      release(name);
    }
    expect(await Promise.all(all)).toEqual(['a1', 'a2', 'a3', 'b1', 'c1']);
  });
});
