import { IncomingMessage, OutgoingMessage } from './event-log.port';
import { DEAD_LETTER_REASON_MAX_BYTES } from './record-size';

/** A consumed message that cannot be folded, and why: it goes to its topic's dead-letter topic. */
export interface DeadLetter {
  message: IncomingMessage;
  reason: string;
}

/**
 * A dead letter keeps the original key and bytes; why and where it came from travel in
 * headers, so a fixed consumer can re-publish the value unchanged.
 */
export function deadLetterMessage({ message, reason }: DeadLetter): OutgoingMessage & { headers: Record<string, string> } {
  return {
    key: message.key ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers: {
      'dlq.reason': cutToBytes(reason, DEAD_LETTER_REASON_MAX_BYTES),
      'dlq.topic': message.topic,
      'dlq.partition': String(message.partition),
      'dlq.offset': message.offset,
    },
  };
}

/** `text` within `max` UTF-8 bytes: its longest prefix that fits with an ellipsis, never half a character. */
export function cutToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const ellipsis = '…';
  // A character cut in half decodes as U+FFFD, which goes too.
  const head = Buffer.from(text)
    .subarray(0, max - Buffer.byteLength(ellipsis))
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${head}${ellipsis}`;
}
