import { Admin, Kafka } from 'kafkajs';

export interface PartitionLag {
  partition: number;
  lag: number;
}

/**
 * A consumer group's lag per partition, read through one admin connection kept between reads
 * (a scrape every few seconds must not open a connection each time), with one read at a time:
 * scrapes overlapping while Kafka is slow share it instead of piling up connections.
 */
export class ConsumerLag {
  private admin?: Promise<Admin>;
  private reading?: Promise<PartitionLag[]>;
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly topic: string,
  ) {}

  read(): Promise<PartitionLag[]> {
    // After its consumer stopped, a scrape must not open a connection nothing would close.
    if (this.closed) return Promise.reject(new Error(`consumer of ${this.topic} stopped`));
    this.reading ??= this.readOnce().finally(() => (this.reading = undefined));
    return this.reading;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.disconnect();
  }

  private async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await (await admin?.catch(() => undefined))?.disconnect();
  }

  private async readOnce(): Promise<PartitionLag[]> {
    const admin = await this.connected();
    try {
      const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(this.topic), admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] })]);
      const committedByPartition = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
      return ends.map((end) => {
        const done = committedByPartition.get(end.partition) ?? -1;
        const high = Number(end.high);
        return { partition: end.partition, lag: done < 0 ? high - Number(end.low) : Math.max(0, high - done) };
      });
    } catch (error) {
      // The connection may be what failed: the next read starts a new one.
      await this.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private connected(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    return this.admin;
  }
}
