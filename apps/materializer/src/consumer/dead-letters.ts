import { IncomingMessage } from '@runstream/kafka';

export const DEAD_LETTER_PUBLISHER = Symbol('DEAD_LETTER_PUBLISHER');

export interface DeadLetter {
  message: IncomingMessage;
  reason: string;
}

/**
 * A dead letter keeps the original key and bytes; why and where it came from travel in
 * headers, so a fixed consumer can re-publish the value unchanged.
 */
export function deadLetterMessage({ message, reason }: DeadLetter): { key: string; value: Buffer; headers: Record<string, string> } {
  return {
    key: message.key ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers: {
      'dlq.reason': reason,
      'dlq.topic': message.topic,
      'dlq.partition': String(message.partition),
      'dlq.offset': message.offset,
    },
  };
}
