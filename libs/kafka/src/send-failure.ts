/**
 * What a failed send (after kafkajs's own retries) says about its batch:
 * - `too-large`: the broker refused the batch whole for its size; nothing was written.
 * - `unwritten`: the broker refused it over the producer's own state, before any write; only a
 *   new producer (new producer id) can send it. (Not NOT_ENOUGH_REPLICAS: an earlier attempt of
 *   the same batch may have been written before the in-sync set shrank.)
 * - `refused`: the broker refused it for a reason no resend fixes (authorization, an invalid
 *   record): the writes fail at once (503), where resending it would block its partition's lane
 *   until an operator acted. (Not UNKNOWN_TOPIC_OR_PARTITION: a leader moving mid-retry answers
 *   that while an earlier attempt may be in the log.)
 * - `in-doubt`: anything else (a connection cut, a timeout, a broker killed between writing and
 *   answering): the batch may be in the log. Only sending the very same batch again through the
 *   same producer (same producer id and sequence numbers, which kafkajs rewinds on failure)
 *   settles it: the broker appends it, or recognises it and answers with the first write's offset.
 */
export type SendFailure = 'too-large' | 'unwritten' | 'refused' | 'in-doubt';

const REJECTED_UNWRITTEN = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'INVALID_PRODUCER_EPOCH', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_ID_MAPPING']);
const REFUSED = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'INVALID_RECORD',
  'INVALID_REQUIRED_ACKS',
  'INVALID_TOPIC_EXCEPTION',
]);

export function classifySendFailure(error: unknown): SendFailure {
  const type = protocolErrorType(error);
  if (type === 'MESSAGE_TOO_LARGE') return 'too-large';
  if (type !== undefined && REJECTED_UNWRITTEN.has(type)) return 'unwritten';
  if (type !== undefined && REFUSED.has(type)) return 'refused';
  return 'in-doubt';
}

/** The Kafka error type behind kafkajs's retry wrappers, if the broker answered with one. */
function protocolErrorType(error: unknown): string | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const type = (cause as Error & { type?: unknown }).type;
    if (typeof type === 'string') return type;
  }
  return undefined;
}
