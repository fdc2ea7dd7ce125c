/** What a retry of an in-doubt write learns once the broker's answer is known. */
export type InDoubtOutcome = { landed: true; answer: unknown } | { landed: false };

/**
 * The broker did not acknowledge a write in time, but it may still: `outcome` settles (never
 * rejects) with the answer the client would have had, if the event landed after all. The
 * idempotency guard's slots keep it so a retry with the same key learns which it was.
 */
export class WriteInDoubtError extends Error {
  override readonly name = 'WriteInDoubtError';

  constructor(
    readonly outcome: Promise<InDoubtOutcome>,
    options?: { cause?: unknown },
  ) {
    super('the write was not acknowledged in time and may still be recorded', options);
  }
}

/** A 503 that tells the client when to come back (answered with Retry-After by RetryLaterFilter). */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
