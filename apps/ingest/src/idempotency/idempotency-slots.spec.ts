import { ExecutionContext, UnprocessableEntityException } from '@nestjs/common';
import { lastValueFrom, Observable, of, throwError } from 'rxjs';
import { InDoubtOutcome, RetryLaterError, WriteInDoubtError } from '../errors/write-outcome.errors';
import { IdempotencyGuard, idempotentWriteOf } from './idempotency.guard';

class RunController {
  patch(): void {}
  claim(): void {}
}

interface Call {
  method?: string;
  url?: string;
  key?: string;
  tokenId?: string;
  orgId?: string;
  params?: Record<string, string>;
  body?: unknown;
  handler?: 'patch' | 'claim';
}

function context(call: Call): ExecutionContext {
  return contextOf(requestOf(call), call);
}

function requestOf(call: Call) {
  return {
    method: call.method ?? 'PATCH',
    url: call.url ?? '/api/elt/runs/run_1',
    params: call.params ?? { id: 'run_1' },
    body: call.body ?? { status: 'running' },
    headers: call.key === undefined ? {} : { 'idempotency-key': call.key },
    caller: { orgId: call.orgId ?? 'org_1', tokenId: call.tokenId ?? 'tok_a', kind: 'user', gateway: '' },
  };
}

function contextOf(request: object, call: Call): ExecutionContext {
  return {
    switchToHttp: () => ({ getRequest: () => request }),
    getClass: () => RunController,
    getHandler: () => RunController.prototype[call.handler ?? 'patch'],
  } as unknown as ExecutionContext;
}

/** A handler that counts its writes and answers with the write's number. */
function counter() {
  let writes = 0;
  return {
    get writes() {
      return writes;
    },
    handle: (): Observable<unknown> =>
      new Observable((subscriber) => {
        writes += 1;
        subscriber.next({ write: writes });
        subscriber.complete();
      }),
  };
}

/** The answers kept per Idempotency-Key, through the guard as a write route runs it: the guard, then the handler's write. */
describe('IdempotencySlots', () => {
  let guard: IdempotencyGuard;
  const send = async (call: Call, handle: () => Observable<unknown>) => {
    const request = requestOf({ key: 'k1', ...call });
    guard.canActivate(contextOf(request, call));
    return idempotentWriteOf(request)(() => lastValueFrom(handle()));
  };

  beforeEach(() => {
    guard = new IdempotencyGuard();
  });

  it('answers a retry with the first answer and writes once', async () => {
    const handler = counter();
    expect(await send({}, handler.handle)).toEqual({ write: 1 });
    expect(await send({}, handler.handle)).toEqual({ write: 1 });
    expect(handler.writes).toBe(1);
  });

  it('scopes keys to the token: another token with the same key writes its own', async () => {
    const handler = counter();
    await send({ tokenId: 'tok_a' }, handler.handle);
    expect(await send({ tokenId: 'tok_b' }, handler.handle)).toEqual({ write: 2 });
  });

  it('ignores the query string but not the run id: another run with the same key is a 422', async () => {
    const handler = counter();
    await send({ url: '/api/elt/runs/run_1?a=1' }, handler.handle);
    expect(await send({ url: '/api/elt/runs/run_1?a=2' }, handler.handle)).toEqual({ write: 1 });
    await expect(send({ params: { id: 'run_2' } }, handler.handle)).rejects.toBeInstanceOf(UnprocessableEntityException);
    await expect(send({ body: { status: 'failed' } }, handler.handle)).rejects.toBeInstanceOf(UnprocessableEntityException);
  });

  it("keeps another organisation's keys while one organisation fills the cache with large answers: that one loses its own oldest", async () => {
    const quiet = counter();
    await send({ key: 'quiet', orgId: 'org_quiet' }, quiet.handle);
    const big = 'x'.repeat(1024 * 1024);
    const loud = { writes: 0 };
    const handleLoud = () => of({ write: ++loud.writes, echo: big });
    // Over 64 MiB of answers from one organisation: the whole cache's size, 8 times its share.
    for (let i = 0; i < 70; i += 1) await send({ key: `loud-${i}`, orgId: 'org_loud', params: { id: `run_${i}` } }, handleLoud);
    expect(await send({ key: 'quiet', orgId: 'org_quiet' }, quiet.handle)).toEqual({ write: 1 });
    expect(quiet.writes).toBe(1);
    // The loud organisation's latest keys are still answered; its first ones were evicted (a retry writes again).
    expect(await send({ key: 'loud-69', orgId: 'org_loud', params: { id: 'run_69' } }, handleLoud)).toMatchObject({ write: 70 });
    expect(await send({ key: 'loud-0', orgId: 'org_loud', params: { id: 'run_0' } }, handleLoud)).toMatchObject({ write: 71 });
  });

  it('never caches GET', async () => {
    const handler = counter();
    await send({ method: 'GET', body: undefined }, handler.handle);
    expect(await send({ method: 'GET', body: undefined }, handler.handle)).toEqual({ write: 2 });
  });

  it('forgets failed writes', async () => {
    const handler = counter();
    await expect(send({}, () => throwError(() => new Error('409')))).rejects.toThrow('409');
    expect(await send({}, handler.handle)).toEqual({ write: 1 });
  });

  it('lets a concurrent duplicate wait for the first', async () => {
    let release: (value: unknown) => void = () => undefined;
    const slow = new Promise((resolve) => (release = resolve));
    const first = send({}, () => new Observable((s) => void slow.then((v) => (s.next(v), s.complete()))));
    const second = send({}, () => of('never'));
    release({ write: 'first' });
    expect(await Promise.all([first, second])).toEqual([{ write: 'first' }, { write: 'first' }]);
  });

  it('refuses malformed keys', () => {
    expect(() => guard.canActivate(context({ key: 'has space' }))).toThrow(UnprocessableEntityException);
    expect(() => guard.canActivate(context({ key: 'x'.repeat(256) }))).toThrow(UnprocessableEntityException);
  });

  describe('a write left in doubt (Kafka acknowledged late or not at all)', () => {
    function inDoubt(outcome: Promise<InDoubtOutcome>) {
      return () => throwError(() => new WriteInDoubtError(outcome));
    }

    it('answers the retry with the original answer if the event landed, without writing again', async () => {
      const handler = counter();
      await expect(send({}, inDoubt(Promise.resolve({ landed: true, answer: { write: 'original' } })))).rejects.toBeInstanceOf(WriteInDoubtError);
      expect(await send({}, handler.handle)).toEqual({ write: 'original' });
      expect(await send({}, handler.handle)).toEqual({ write: 'original' });
      expect(handler.writes).toBe(0);
    });

    it('writes on the retry if the event certainly did not land, once for concurrent retries', async () => {
      const handler = counter();
      let settle: (outcome: InDoubtOutcome) => void = () => undefined;
      const outcome = new Promise<InDoubtOutcome>((resolve) => (settle = resolve));
      await expect(send({}, inDoubt(outcome))).rejects.toBeInstanceOf(WriteInDoubtError);
      const retries = [send({}, handler.handle), send({}, handler.handle)];
      settle({ landed: false });
      expect(await Promise.all(retries)).toEqual([{ write: 1 }, { write: 1 }]);
      expect(handler.writes).toBe(1);
    });

    it('keeps an in-doubt slot however many large answers fill the cache meanwhile, so its retry never writes twice', async () => {
      const never = new Promise<InDoubtOutcome>(() => undefined);
      await expect(send({ key: 'doubtful' }, inDoubt(never))).rejects.toBeInstanceOf(WriteInDoubtError);
      // ~650 KB answers (1,000 executions echoed): 120 of them are more than the cache's 64 MiB.
      const large = { executions: Array.from({ length: 1_000 }, (_, i) => ({ id: `exec_${i}`.padEnd(128, 'x'), model_name: 'm'.repeat(512) })) };
      for (let i = 0; i < 120; i++) await send({ key: `big-${i}` }, () => of(large));
      jest.useFakeTimers();
      try {
        const handler = counter();
        const retry = send({ key: 'doubtful' }, handler.handle);
        const settled = expect(retry).rejects.toBeInstanceOf(RetryLaterError);
        await jest.advanceTimersByTimeAsync(10_001);
        await settled;
        expect(handler.writes).toBe(0);
      } finally {
        jest.useRealTimers();
      }
    });

    it('answers 503 again while the outcome is still unknown', async () => {
      jest.useFakeTimers();
      try {
        await expect(send({}, inDoubt(new Promise(() => undefined)))).rejects.toBeInstanceOf(WriteInDoubtError);
        const retry = send({}, counter().handle);
        const settled = expect(retry).rejects.toBeInstanceOf(RetryLaterError);
        await jest.advanceTimersByTimeAsync(10_001);
        await settled;
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
