import { CompressionTypes, Kafka, Partitioners, Producer, TopicMessages } from 'kafkajs';
import { EventPublisher, OutgoingMessage } from './event-log.port';

interface Waiter {
  topic: string;
  messages: OutgoingMessage[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Idempotent, acks=all producer with group commit: while one send is in flight, the
 * messages of concurrent publish() calls gather and go out together in the next send.
 * Every caller resolves only after the send that carried its messages was acknowledged,
 * so nothing is acknowledged to a client before it is durable, and throughput does not
 * stop at one broker round trip per request.
 */
export class KafkajsPublisher implements EventPublisher {
  private readonly producer: Producer;
  private queue: Waiter[] = [];
  private sending = false;

  constructor(kafka: Kafka, private readonly maxMessagesPerSend = 5000) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // An idempotent producer must keep retrying to keep its sequence numbers valid.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, messages, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const taken = this.takeNextSend();
      try {
        await this.producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: groupByTopic(taken) });
        for (const waiter of taken) waiter.resolve();
      } catch (error) {
        for (const waiter of taken) waiter.reject(error as Error);
      }
    }
    this.sending = false;
  }

  private takeNextSend(): Waiter[] {
    let count = 0;
    let index = 0;
    while (index < this.queue.length && (index === 0 || count + this.queue[index].messages.length <= this.maxMessagesPerSend)) {
      count += this.queue[index].messages.length;
      index += 1;
    }
    return this.queue.splice(0, index);
  }

  async disconnect(): Promise<void> {
    while (this.sending) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.producer.disconnect();
  }
}

function groupByTopic(waiters: Waiter[]): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const { topic, messages } of waiters) {
    const entry = byTopic.get(topic) ?? { topic, messages: [] };
    entry.messages.push(...messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })));
    byTopic.set(topic, entry);
  }
  return [...byTopic.values()];
}
