import { CallHandler, CanActivate, createParamDecorator, ExecutionContext, Injectable, NestInterceptor, UnprocessableEntityException } from '@nestjs/common';
import { Caller } from '@runstream/http';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, Observable } from 'rxjs';
import { IN_DOUBT_RETRY_AFTER_SECONDS } from '../errors/retry-later.filter';
import { InDoubtOutcome, RetryLaterError, WriteInDoubtError } from '../errors/write-outcome.errors';
import { OwnerShares } from './owner-shares';

export const IDEMPOTENCY_MAX_KEYS = 100_000;
export const IDEMPOTENCY_MAX_BYTES = 64 * 1024 * 1024;
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** What one organisation's answered slots may hold of IDEMPOTENCY_MAX_BYTES; past it, its own oldest go. */
export const IDEMPOTENCY_MAX_BYTES_PER_ORG = IDEMPOTENCY_MAX_BYTES / 8;
/** How long a retry of an in-doubt write waits for Kafka's late answer before a 503 of its own. */
const IN_DOUBT_WAIT_MS = 10_000;
/** Accounted size of a slot whose answer is not known yet, and of the slot's own fields. */
const SLOT_BYTES = 256;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

type Answered = { state: 'answered'; fingerprint: string; answer: unknown; bytes: number; owner: string };
type Unsettled =
  { state: 'pending'; fingerprint: string; result: Promise<unknown> } | { state: 'in-doubt'; fingerprint: string; outcome: Promise<InDoubtOutcome> };
type Entry = Answered | Unsettled;

interface Slot {
  slot: string;
  fingerprint: string;
  owner: string;
}

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

/** How the handler of `request` runs its write: as IdempotencyInterceptor (as a guard) prepared it, or plainly without a key. */
export function idempotentWriteOf(request: object): IdempotentWrite {
  return (request as IdempotentRequest)[IDEMPOTENT] ?? withoutKey;
}

/** The handler's IdempotentWrite (idempotentWriteOf its request). */
export const Idempotent = createParamDecorator((_data: unknown, context: ExecutionContext): IdempotentWrite =>
  idempotentWriteOf(context.switchToHttp().getRequest()),
);

function unprocessable(message: string): UnprocessableEntityException {
  return new UnprocessableEntityException({
    statusCode: 422,
    error: 'Unprocessable Entity',
    message,
    errors: [{ field: 'Idempotency-Key', reasons: [message] }],
  });
}

function mismatch(): UnprocessableEntityException {
  return unprocessable('Idempotency-Key was already used with a different request (run id or body)');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `Idempotency-Key` on a write. The key belongs to the token that sent it and to the route
 * (method + handler, not the URL with its query); route params and body must match, or 422.
 * A retry gets the first answer again and appends no second event; a concurrent duplicate
 * waits for the first; failed writes are forgotten so they can be retried. A write Kafka did
 * not acknowledge in time stays in doubt: a retry waits for the late answer and gets the
 * original success if the event landed, or writes it if it certainly did not. GET is never
 * cached. Slots are bounded in number and bytes and kept 24 hours, by this instance only.
 *
 * The write controllers use it as a guard (after authentication, before the validation pipe,
 * as the interceptor ran) with the handler wrapping its write in @Idempotent(): an interceptor
 * costs every request rxjs and Nest's AsyncResource.bind, key or not.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor, CanActivate {
  /** Answered writes: bounded in number and bytes, the oldest evicted first. */
  private readonly entries = new LRUCache<string, Answered>({
    max: IDEMPOTENCY_MAX_KEYS,
    maxSize: IDEMPOTENCY_MAX_BYTES,
    ttl: IDEMPOTENCY_TTL_MS,
    sizeCalculation: (entry) => SLOT_BYTES + entry.bytes,
    dispose: (entry, slot) => this.shares.remove(entry.owner, slot),
  });
  private readonly shares = new OwnerShares(IDEMPOTENCY_MAX_BYTES_PER_ORG);
  /**
   * Writes still waiting for Kafka, or in doubt until their late acknowledgement settles: never
   * evicted (large answers filling the cache must not make a retry write twice), and bounded by
   * the publisher's pending bytes, since each settles into `entries` or away.
   */
  private readonly unsettled = new Map<string, Unsettled>();

  private current(slot: string): Entry | undefined {
    return this.unsettled.get(slot) ?? this.entries.get(slot);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IdempotentRequest>();
    const slot = this.slotOf(context, request);
    if (!slot) return true;
    // Before the validation pipe, as the interceptor: a reused key is a 422 even when the body is also invalid.
    const entry = this.unsettled.get(slot.slot) ?? this.entries.peek(slot.slot);
    if (entry && entry.fingerprint !== slot.fingerprint) throw mismatch();
    request[IDEMPOTENT] = <T>(write: () => Promise<T>) => this.respond(slot, write) as Promise<T>;
    return true;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const slot = this.slotOf(context, context.switchToHttp().getRequest<IdempotentRequest>());
    return slot ? from(this.respond(slot, () => lastValueFrom(next.handle()))) : next.handle();
  }

  /** The request's slot (token, route, key), fingerprint (params, body) and owner (organisation); undefined without a key, 422 for a malformed one. */
  private slotOf(context: ExecutionContext, request: IdempotentRequest): Slot | undefined {
    const header = request.headers['idempotency-key'];
    if (header === undefined || request.method === 'GET' || request.method === 'HEAD') return undefined;
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY_PATTERN.test(key)) throw unprocessable('Idempotency-Key must be 1-255 visible ASCII characters');
    // The auth guard ran first, so the caller is known: keys belong to the token that sent them.
    const route = `${context.getClass().name}.${context.getHandler().name}`;
    const slot = sha256(`${request.caller?.tokenId ?? ''}\u0000${request.method}\u0000${route}\u0000${key}`);
    return { slot, fingerprint: sha256(JSON.stringify([request.params ?? {}, request.body ?? null])), owner: request.caller?.orgId ?? '' };
  }

  private async respond({ slot, fingerprint, owner }: Slot, write: () => Promise<unknown>): Promise<unknown> {
    for (;;) {
      const entry = this.current(slot);
      if (!entry) return this.start({ slot, fingerprint, owner }, write);
      if (entry.fingerprint !== fingerprint) throw mismatch();
      if (entry.state === 'answered') return entry.answer;
      if (entry.state === 'pending') return entry.result;
      const settled = await settleWithin(entry.outcome, IN_DOUBT_WAIT_MS);
      if (!settled) {
        throw new RetryLaterError(
          'an earlier request with this Idempotency-Key is not yet acknowledged by Kafka and may still be recorded; retry with the same key later',
          IN_DOUBT_RETRY_AFTER_SECONDS,
        );
      }
      // The settled outcome moved the slot on (answered, or gone: certainly not written, so this retry writes it).
      if (this.unsettled.get(slot) === entry) this.settle(slot, owner, entry, settled);
    }
  }

  private start({ slot, fingerprint, owner }: Slot, write: () => Promise<unknown>): Promise<unknown> {
    const result = write();
    const entry: Unsettled = { state: 'pending', fingerprint, result };
    this.unsettled.set(slot, entry);
    result.then(
      (answer) => {
        if (this.unsettled.get(slot) === entry) this.answered(slot, owner, fingerprint, answer);
      },
      (error: unknown) => {
        if (this.unsettled.get(slot) !== entry) return;
        if (!(error instanceof WriteInDoubtError)) {
          this.unsettled.delete(slot);
          return;
        }
        const inDoubt: Unsettled = { state: 'in-doubt', fingerprint, outcome: error.outcome };
        this.unsettled.set(slot, inDoubt);
        // Settled without a retry too, so an in-doubt slot does not stay for good.
        error.outcome.then(
          (outcome) => this.unsettled.get(slot) === inDoubt && this.settle(slot, owner, inDoubt, outcome),
          () => undefined, // never rejects (PublishTimeoutError.landed); a retry would meet it in doubt
        );
      },
    );
    return result;
  }

  private settle(slot: string, owner: string, entry: Unsettled, outcome: InDoubtOutcome): void {
    if (outcome.landed) this.answered(slot, owner, entry.fingerprint, outcome.answer);
    else this.unsettled.delete(slot);
  }

  private answered(slot: string, owner: string, fingerprint: string, answer: unknown): void {
    this.unsettled.delete(slot);
    const bytes = Buffer.byteLength(JSON.stringify(answer) ?? '');
    this.entries.set(slot, { state: 'answered', fingerprint, answer, bytes, owner });
    for (const evicted of this.shares.add(owner, slot, SLOT_BYTES + bytes)) this.entries.delete(evicted);
  }
}
