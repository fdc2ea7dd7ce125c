import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Caller } from '@runstream/http';
import { createHash } from 'node:crypto';
import { idempotencyKeyError, IdempotencySlots, Slot } from './idempotency-slots';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Runs a write at most once per Idempotency-Key (answering retries from the first), or just runs it without a key. */
export type IdempotentWrite = <T>(write: () => Promise<T>) => Promise<T>;

const IDEMPOTENT = Symbol('runstream:idempotent-write');

interface IdempotentRequest {
  method: string;
  params?: unknown;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  caller?: Caller;
  [IDEMPOTENT]?: IdempotentWrite;
}

const withoutKey: IdempotentWrite = (write) => write();

/** How the handler of `request` runs its write: as IdempotencyGuard prepared it, or plainly without a key. */
export function idempotentWriteOf(request: object): IdempotentWrite {
  return (request as IdempotentRequest)[IDEMPOTENT] ?? withoutKey;
}

/** The handler's IdempotentWrite (idempotentWriteOf its request). */
export const Idempotent = createParamDecorator((_data: unknown, context: ExecutionContext): IdempotentWrite =>
  idempotentWriteOf(context.switchToHttp().getRequest()),
);

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * `Idempotency-Key` on a write (IdempotencySlots keeps the answers). The key belongs to the token
 * that sent it and to the route (method + handler, not the URL with its query); route params and
 * body must match, or 422. GET is never cached.
 *
 * A guard, after authentication and before the validation pipe, so a reused key is a 422 even
 * when the body is also invalid; the handler wraps its write in @Idempotent(). Not an
 * interceptor: that costs every request rxjs and Nest's AsyncResource.bind, key or not.
 */
@Injectable()
export class IdempotencyGuard implements CanActivate {
  private readonly slots = new IdempotencySlots();

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IdempotentRequest>();
    const slot = this.slotOf(context, request);
    if (!slot) return true;
    this.slots.assertSameRequest(slot);
    request[IDEMPOTENT] = <T>(write: () => Promise<T>) => this.slots.respond(slot, write) as Promise<T>;
    return true;
  }

  /** The request's slot; undefined without a key (or for GET), 422 for a malformed one. */
  private slotOf(context: ExecutionContext, request: IdempotentRequest): Slot | undefined {
    const header = request.headers['idempotency-key'];
    if (header === undefined || request.method === 'GET' || request.method === 'HEAD') return undefined;
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY_PATTERN.test(key)) throw idempotencyKeyError('Idempotency-Key must be 1-255 visible ASCII characters');
    // The auth guard ran first, so the caller is known: keys belong to the token that sent them.
    const route = `${context.getClass().name}.${context.getHandler().name}`;
    const slot = sha256(`${request.caller?.tokenId ?? ''}\u0000${request.method}\u0000${route}\u0000${key}`);
    return { slot, fingerprint: sha256(JSON.stringify([request.params ?? {}, request.body ?? null])), owner: request.caller?.orgId ?? '' };
  }
}
