import { EventPublisher, IncomingMessage, OutgoingMessage } from './event-log.port';
import { MessageTooLargeError } from './publish-errors';
import { DEAD_LETTER_REASON_MAX_BYTES, RECORD_OVERHEAD, recordBytes } from './record-size';

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

type DeadLetterMessage = ReturnType<typeof deadLetterMessage>;

/**
 * Sends dead letters to `topic`, acknowledged. A dead letter the topic is too small for (a foreign
 * message already near its own topic's limit, to which the dlq.* headers add) goes again without
 * its value, header `dlq.value-dropped` giving the value's size; the original stays readable at
 * dlq.topic/partition/offset for that topic's retention. A dead letter that could never be
 * written would fail every retry of its flush and stop the consumer for good.
 */
export async function publishDeadLetters(publisher: EventPublisher, topic: string, dead: DeadLetter[]): Promise<void> {
  if (dead.length === 0) return;
  const messages = dead.map(deadLetterMessage);
  try {
    await publisher.publish(topic, messages);
  } catch (error) {
    if (!(error instanceof MessageTooLargeError)) throw error;
    await publisher.publish(
      topic,
      messages.map((message) => fittedDeadLetter(message, error.maxBytes)),
    );
  }
}

/** `message` within `maxBytes` of key, value and headers: without its value if need be, and without its key if even that is not enough. */
export function fittedDeadLetter(message: DeadLetterMessage, maxBytes: number): DeadLetterMessage {
  const fits = (candidate: DeadLetterMessage) => recordBytes(candidate) - RECORD_OVERHEAD <= maxBytes;
  if (fits(message)) return message;
  const withoutValue = { ...message, value: Buffer.alloc(0), headers: { ...message.headers, 'dlq.value-dropped': String(message.value.length) } };
  if (fits(withoutValue)) return withoutValue;
  return { ...withoutValue, key: '', headers: { ...withoutValue.headers, 'dlq.key-dropped': String(Buffer.byteLength(message.key)) } };
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
