/** What the deadline needs of a Fastify reply. */
export interface DeadlineReply {
  readonly sent: boolean;
  readonly raw: { readonly destroyed: boolean };
}

/**
 * Answers the requests a handler has not answered within `deadlineMs` (`expire` sends the
 * 503). One timer serves every request, instead of Fastify's handlerTimeout, which gives each
 * request an AbortController, a timer and, when the request closes, an AbortError (a
 * DOMException with its stack): about 5% of ingest's CPU under load, for a deadline that
 * almost never fires. Every request gets the same deadline and they start in order, so the
 * oldest request still waiting is always the next one due.
 */
export class HandlerDeadline<R extends DeadlineReply> {
  /** Requests not yet answered, oldest first, with when each started. */
  private readonly waiting = new Map<R, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deadlineMs: number,
    private readonly expire: (reply: R) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(reply: R): void {
    this.waiting.set(reply, this.now());
    if (!this.timer) this.arm(this.deadlineMs);
  }

  /** The request was answered (or its connection closed); answered ones left behind are skipped when due. */
  finish(reply: R): void {
    this.waiting.delete(reply);
  }

  /** Requests still tracked (tests). */
  get size(): number {
    return this.waiting.size;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.expireDue(), ms);
    // The deadline never keeps a process alive on its own.
    this.timer.unref();
  }

  private expireDue(): void {
    this.timer = undefined;
    const now = this.now();
    for (const [reply, startedAt] of this.waiting) {
      const due = startedAt + this.deadlineMs;
      if (due > now) {
        this.arm(due - now);
        return;
      }
      this.waiting.delete(reply);
      if (!reply.sent && !reply.raw.destroyed) this.expire(reply);
    }
  }
}
