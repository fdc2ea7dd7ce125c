import { CallHandler, ExecutionContext, Injectable, NestInterceptor, UnprocessableEntityException } from '@nestjs/common';
import { Caller } from '@runstream/http';
import { createHash } from 'node:crypto';
import { from, Observable } from 'rxjs';

const MAX_KEYS = 100_000;
const TTL_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

interface Remembered {
  bodyHash: string;
  expiresAt: number;
  result: Promise<unknown>;
}

interface IdempotentRequest {
  method: string;
  url: string;
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  caller?: Caller;
}

/**
 * `Idempotency-Key` on a write: a retry with the same key (same organisation, route and
 * body) gets the first answer again and appends no second event; a concurrent duplicate
 * waits for the first. Failed writes are forgotten so they can be retried. Keys are kept
 * 24 hours (at most 100,000, oldest dropped first) by the ingest instance that saw them.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly remembered = new Map<string, Remembered>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<IdempotentRequest>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY_PATTERN.test(key)) {
      throw new UnprocessableEntityException({ statusCode: 422, error: 'Unprocessable Entity', message: 'Idempotency-Key must be 1-255 visible ASCII characters' });
    }
    // The auth guard ran first, so the caller is known: keys are scoped to its organisation.
    const slot = `${request.caller?.orgId ?? ''}\u0000${request.method}\u0000${request.url}\u0000${key}`;
    const bodyHash = createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('hex');
    const now = Date.now();
    const seen = this.remembered.get(slot);
    if (seen && seen.expiresAt > now) {
      if (seen.bodyHash !== bodyHash) {
        throw new UnprocessableEntityException({ statusCode: 422, error: 'Unprocessable Entity', message: 'Idempotency-Key was already used with a different request body' });
      }
      return from(seen.result);
    }
    const result = new Promise<unknown>((resolve, reject) => next.handle().subscribe({ next: resolve, error: reject }));
    this.remember(slot, { bodyHash, expiresAt: now + TTL_MS, result });
    result.catch(() => this.remembered.delete(slot));
    return from(result);
  }

  private remember(slot: string, entry: Remembered): void {
    this.remembered.delete(slot);
    this.remembered.set(slot, entry);
    if (this.remembered.size > MAX_KEYS) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
  }
}
