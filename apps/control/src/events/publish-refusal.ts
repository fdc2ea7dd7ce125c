import { HttpException, PayloadTooLargeException } from '@nestjs/common';
import { serviceUnavailable } from '@runstream/http';
import { MessageTooLargeError, PublisherOverloadedError, PublishTimeoutError } from '@runstream/kafka';

/**
 * The answer to a write Kafka did not acknowledge: 503 with Retry-After (saying whether it may
 * still be recorded), or 413 for an event larger than the topic takes. Never a 500.
 */
export function publishRefusal(error: unknown): HttpException {
  if (error instanceof PublishTimeoutError) {
    return serviceUnavailable("Kafka did not acknowledge the write in time; it may still be recorded: read the job (or the project's runs) before retrying", 5);
  }
  if (error instanceof MessageTooLargeError) {
    const reason = `the event this write makes is ${error.bytes} bytes; the topic accepts at most ${error.maxBytes}`;
    return new PayloadTooLargeException({
      statusCode: 413,
      error: 'Payload Too Large',
      message: `body: ${reason}`,
      errors: [{ field: 'body', reasons: [reason] }],
    });
  }
  if (error instanceof PublisherOverloadedError)
    return serviceUnavailable('the control plane has more writes waiting for Kafka than it holds; this write was not recorded. Retry later', 1);
  if (error instanceof HttpException) return error;
  return serviceUnavailable('Kafka is unavailable; the write was not acknowledged. Retry later', 5);
}
