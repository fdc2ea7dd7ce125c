import { Kafka, Partitioners, Producer } from 'kafkajs';
import { Backoff } from './backoff';

/**
 * Holds the idempotent producer and replaces it (new producer id, fresh sequence numbers)
 * once a send failed, reconnecting with exponential backoff while the broker is away.
 */
export class ProducerSlot {
  private producer?: Producer;
  private spoiled = false;
  private readonly backoff = new Backoff(100, 5_000);

  constructor(private readonly kafka: Kafka) {}

  async connect(): Promise<void> {
    this.producer = await this.connected();
  }

  /** The next send must go through a new producer. */
  spoil(): void {
    this.spoiled = true;
  }

  /** A producer fit to send, or undefined as soon as `wanted()` turns false while reconnecting. */
  async ready(wanted: () => boolean): Promise<Producer | undefined> {
    while (this.producer === undefined || this.spoiled) {
      if (!wanted()) return undefined;
      const spoiled = this.producer;
      this.producer = undefined;
      await spoiled?.disconnect().catch(() => undefined);
      try {
        this.producer = await this.connected();
        this.spoiled = false;
        this.backoff.reset();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, this.backoff.nextDelayMs()));
      }
    }
    return this.producer;
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }

  private async connected(): Promise<Producer> {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // Bounded, so a send to an unreachable broker fails and the producer is recreated.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    return producer;
  }
}
