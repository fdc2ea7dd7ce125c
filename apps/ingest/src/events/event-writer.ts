import { Injectable, PayloadTooLargeException } from '@nestjs/common';
import { encodeEvent, RunEventEnvelope, validateEvent } from '@runstream/events';
import { MessageTooLargeError, PublisherOverloadedError, PublishTimeoutError } from '@runstream/kafka';
import { largestField } from '../errors/largest-field';
import { IN_DOUBT_RETRY_AFTER_SECONDS } from '../errors/retry-later.filter';
import { InDoubtOutcome, RetryLaterError, WriteInDoubtError } from '../errors/write-outcome.errors';
import { RunEventLog } from './run-event-log';
import { badRequest } from '@runstream/http';

/**
 * Appends the events of one write and turns every way that can fail into an answer the
 * client can act on: 400 for an event the schema refuses, 413 naming the body's largest
 * field for one too large for the topic, 503 with Retry-After for Kafka trouble, saying
 * whether the write may have been recorded. Nothing of a refused write is appended.
 */
@Injectable()
export class EventWriter {
  constructor(private readonly log: RunEventLog) {}

  /**
   * `answer` runs once the events are durable and gives the client's answer; when the
   * acknowledgement is late, it still runs if they land, for the retry (WriteInDoubtError).
   */
  async write<T>(events: RunEventEnvelope[], body: object, answer: () => T): Promise<T> {
    await this.append(events, body, answer);
    return answer();
  }

  /** For writes that are safe to repeat (claims): a late acknowledgement is a plain 503. */
  async appendRepeatable(events: RunEventEnvelope[], body: object): Promise<void> {
    await this.append(events, body);
  }

  private async append(events: RunEventEnvelope[], body: object, answer?: () => unknown): Promise<void> {
    const encoded = this.check(events, body);
    try {
      await this.log.append(events, encoded);
    } catch (error) {
      throw this.refusal(error, body, answer);
    }
  }

  /** The events encoded, once each: sized here, then sent. */
  private check(events: RunEventEnvelope[], body: object): Buffer[] {
    const maxBytes = this.log.maxEventBytes();
    return events.map((event) => {
      const problem = validateEvent(event);
      // DTO validation admits only valid events; this is the net under it, never a 500.
      if (problem) throw badRequest('body', `the write makes an invalid event: ${problem}`);
      const encoded = encodeEvent(event);
      if (encoded.length > maxBytes) throw tooLarge(body, encoded.length, maxBytes);
      return encoded;
    });
  }

  private refusal(error: unknown, body: object, answer?: () => unknown): Error {
    if (error instanceof PublishTimeoutError) {
      if (!answer)
        return new RetryLaterError(
          'Kafka did not acknowledge the write in time; it may still be recorded. Retry with the same Idempotency-Key (or claimId)',
          IN_DOUBT_RETRY_AFTER_SECONDS,
        );
      const outcome = error.landed.then((landed): InDoubtOutcome => (landed ? { landed, answer: answer() } : { landed }));
      return new WriteInDoubtError(outcome, { cause: error });
    }
    if (error instanceof MessageTooLargeError) return tooLarge(body, error.bytes, error.maxBytes);
    if (error instanceof PublisherOverloadedError)
      return new RetryLaterError('ingest has more writes waiting for Kafka than it holds; this write was not recorded. Retry later', 1);
    // PublisherUnavailableError (broker unreachable, shutting down), or anything else: not acknowledged.
    return new RetryLaterError(
      'Kafka is unavailable; the write was not acknowledged (a request cut off mid-way may still be recorded: retry with the same Idempotency-Key)',
      5,
    );
  }
}

function tooLarge(body: object, bytes: number, maxBytes: number): PayloadTooLargeException {
  const largest = largestField(body);
  const field = largest?.field ?? 'body';
  const reason = `the event this write makes is ${bytes} bytes; one event may be at most ${maxBytes}. ${field} is the largest field${largest ? ` (${largest.bytes} bytes)` : ''}: send it in smaller parts`;
  return new PayloadTooLargeException({ statusCode: 413, error: 'Payload Too Large', message: `${field}: ${reason}`, errors: [{ field, reasons: [reason] }] });
}
