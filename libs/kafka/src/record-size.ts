import { OutgoingMessage } from './event-log.port';

/**
 * Kafka checks a whole record batch (v2) against the topic's max.message.bytes: 61 bytes of
 * batch header (with the log entry's offset and length) plus its records, uncompressed here.
 */
export const RECORD_BATCH_OVERHEAD = 61;
/** Upper bound of one record's framing: length, attributes, timestamp and offset deltas, key/value lengths, header count (varints at their widest). */
export const RECORD_OVERHEAD = 5 + 1 + 10 + 5 + 5 + 5 + 5;
const HEADER_OVERHEAD = 10;
/** Slack for estimation error, so a batch computed to fit never meets MESSAGE_TOO_LARGE. */
const SAFETY_MARGIN = 512;

/** Upper bound of the bytes one message adds to a record batch. */
export function recordBytes(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD + Buffer.byteLength(message.key) + message.value.length;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += HEADER_OVERHEAD + Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  return bytes;
}

/** Record bytes (as counted by recordBytes) one batch may carry under a topic's max.message.bytes. */
export function batchRecordBudget(maxMessageBytes: number): number {
  return Math.max(0, maxMessageBytes - RECORD_BATCH_OVERHEAD - SAFETY_MARGIN);
}

/** Largest key + value + header bytes of one message that still fits a batch alone. */
export function maxPayloadBytes(maxMessageBytes: number): number {
  return Math.max(0, batchRecordBudget(maxMessageBytes) - RECORD_OVERHEAD);
}

/**
 * Bytes an event leaves under its topic's limit for the headers a dead letter adds (reason cut to
 * DEAD_LETTER_REASON_MAX_BYTES, source topic, partition, offset): the dead-letter topic has the
 * same limit, and a dead letter that cannot be written stops its consumer.
 */
export const DEAD_LETTER_HEADROOM_BYTES = 1_024;
/** Longest `dlq.reason` header, in UTF-8 bytes. */
export const DEAD_LETTER_REASON_MAX_BYTES = 256;
