import { Admin, Kafka } from 'kafkajs';

/**
 * Readiness of the Kafka cluster: a metadata request answers. One admin connection kept open
 * between probes (a new one per probe would cost a handshake, and SASL/TLS, every few seconds);
 * dropped after a failure so the next probe reconnects.
 */
export class KafkaProbe {
  readonly name = 'kafka';
  private admin?: Admin;

  constructor(private readonly kafka: Kafka) {}

  async check(): Promise<unknown> {
    try {
      if (this.admin === undefined) {
        this.admin = this.kafka.admin();
        await this.admin.connect();
      }
      const cluster = await this.admin.describeCluster();
      return { brokers: cluster.brokers.length };
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
