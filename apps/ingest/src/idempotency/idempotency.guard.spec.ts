import { ExecutionContext, UnprocessableEntityException } from '@nestjs/common';
import { IdempotencyGuard, idempotentWriteOf } from './idempotency.guard';

class RunController {
  patch(): void {}
}

/** The guard as the write controllers use it: before the pipe, the handler wrapping its write. */
describe('IdempotencyGuard', () => {
  let idempotency: IdempotencyGuard;
  let writes: number;

  const request = (key: string | undefined, body: unknown = { status: 'running' }, method = 'PATCH') => ({
    method,
    params: { id: 'run_1' },
    body,
    headers: key === undefined ? {} : { 'idempotency-key': key },
    caller: { orgId: 'org_1', tokenId: 'tok_a', kind: 'user', gateway: '' },
  });
  const context = (req: object) =>
    ({
      switchToHttp: () => ({ getRequest: () => req }),
      getClass: () => RunController,
      getHandler: () => RunController.prototype.patch,
    }) as unknown as ExecutionContext;
  /** The guard, then (as the route would after the pipe) the handler's write. */
  const send = async (req: object) => {
    expect(idempotency.canActivate(context(req))).toBe(true);
    return idempotentWriteOf(req)(async () => ({ write: (writes += 1) }));
  };

  beforeEach(() => {
    idempotency = new IdempotencyGuard();
    writes = 0;
  });

  it('answers a retry with the first answer and writes once', async () => {
    expect(await send(request('k1'))).toEqual({ write: 1 });
    expect(await send(request('k1'))).toEqual({ write: 1 });
    expect(writes).toBe(1);
  });

  it('writes every time without a key, and for GET', async () => {
    await send(request(undefined));
    await send(request(undefined));
    await send(request('k1', undefined, 'GET'));
    await send(request('k1', undefined, 'GET'));
    expect(writes).toBe(4);
  });

  it('refuses a malformed key and a reused key with another body in the guard, before the validation pipe', async () => {
    expect(() => idempotency.canActivate(context(request('bad key')))).toThrow(UnprocessableEntityException);
    await send(request('k1'));
    expect(() => idempotency.canActivate(context(request('k1', { status: 'failed' })))).toThrow(UnprocessableEntityException);
    expect(writes).toBe(1);
  });
});
