/** Why a publish() was not acknowledged; each says whether the messages may still land. */

/**
 * The deadline passed before the acknowledgement. `landed` settles later (never rejects):
 * true once the broker acknowledged every message after all, false if they were not
 * acknowledged (dropped from the queue unsent, or the send failed).
 */
export class PublishTimeoutError extends Error {
  override readonly name = 'PublishTimeoutError';

  constructor(
    readonly deadlineMs: number,
    readonly landed: Promise<boolean>,
  ) {
    super(`Kafka did not acknowledge the write within ${deadlineMs} ms`);
  }
}

/** Pending (queued and in-flight) bytes would exceed the bound; nothing was written. */
export class PublisherOverloadedError extends Error {
  override readonly name = 'PublisherOverloadedError';

  constructor(
    readonly pendingBytes: number,
    readonly maxPendingBytes: number,
  ) {
    super(`Publisher overloaded: ${pendingBytes} bytes pending, bound ${maxPendingBytes}`);
  }
}

/** One message cannot fit a record batch of its topic; nothing of the publish call was written. */
export class MessageTooLargeError extends Error {
  override readonly name = 'MessageTooLargeError';

  constructor(
    readonly index: number,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`Message ${index} is ${bytes} bytes; the topic accepts at most ${maxBytes}`);
  }
}

/**
 * The broker is unreachable or the producer is being recreated, and the send failed before
 * the deadline. Not acknowledged; like any at-least-once producer, a write cut off
 * mid-request may still have reached the log.
 */
export class PublisherUnavailableError extends Error {
  override readonly name = 'PublisherUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
