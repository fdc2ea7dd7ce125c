import { UnprocessableEntityException } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
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

type Answered = { state: 'answered'; fingerprint: string; answer: unknown; bytes: number; owner: string };
type Unsettled =
  { state: 'pending'; fingerprint: string; result: Promise<unknown> } | { state: 'in-doubt'; fingerprint: string; outcome: Promise<InDoubtOutcome> };

/** One write's place: its key's hash (token, route, key), its request's fingerprint (params, body) and its organisation. */
export interface Slot {
  slot: string;
  fingerprint: string;
  owner: string;
}

/** The 422 naming the Idempotency-Key header. */
export function idempotencyKeyError(message: string): UnprocessableEntityException {
  return new UnprocessableEntityException({
    statusCode: 422,
    error: 'Unprocessable Entity',
    message,
    errors: [{ field: 'Idempotency-Key', reasons: [message] }],
  });
}

function mismatch(): UnprocessableEntityException {
  return idempotencyKeyError('Idempotency-Key was already used with a different request (run id or body)');
}

function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The writes made under an Idempotency-Key, by this instance: a retry gets the first answer
 * again and appends no second event; a concurrent duplicate waits for the first; failed writes
 * are forgotten so they can be retried. A write Kafka did not acknowledge in time stays in doubt:
 * a retry waits for the late answer and gets the original success if the event landed, or writes
 * it if it certainly did not. Answers are bounded in number and bytes (one organisation's at most
 * an eighth) and kept 24 hours.
 */
export class IdempotencySlots {
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

  /** 422 when the slot's key was used with another request; does not touch the answer's age. */
  assertSameRequest({ slot, fingerprint }: Slot): void {
    const entry = this.unsettled.get(slot) ?? this.entries.peek(slot);
    if (entry && entry.fingerprint !== fingerprint) throw mismatch();
  }

  /** The slot's answer: the first write's, or `write`'s when the slot holds none. */
  async respond({ slot, fingerprint, owner }: Slot, write: () => Promise<unknown>): Promise<unknown> {
    for (;;) {
      const entry = this.unsettled.get(slot) ?? this.entries.get(slot);
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
