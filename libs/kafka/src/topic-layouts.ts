import { Admin, Kafka } from 'kafkajs';
import { brokerConfig, topicConfig } from './topics';

export interface TopicLayout {
  partitions: number;
  /** The topic's max.message.bytes: the largest record batch the broker accepts. */
  maxMessageBytes: number;
}

/** Kafka's own default for metadata age: partition counts and limits are re-read this often. */
const MAX_AGE_MS = 5 * 60_000;

/**
 * What the publisher must know of a topic before splitting messages into sends: its
 * partition count (to group by partition as the default partitioner would) and its
 * max.message.bytes. Read from the broker, cached, refreshed in the background when old.
 */
export class TopicLayouts {
  private readonly admin: Admin;
  private readonly layouts = new Map<string, { layout: TopicLayout; fetchedAt: number }>();
  private readonly loading = new Map<string, Promise<TopicLayout>>();

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  async connect(topics: string[]): Promise<void> {
    await this.admin.connect();
    for (const topic of topics) await this.load(topic);
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  /** The cached layout; starts a background refresh when it is older than MAX_AGE_MS. */
  cached(topic: string): TopicLayout | undefined {
    const entry = this.layouts.get(topic);
    if (entry !== undefined && Date.now() - entry.fetchedAt > MAX_AGE_MS) void this.load(topic).catch(() => undefined);
    return entry?.layout;
  }

  async get(topic: string): Promise<TopicLayout> {
    return this.cached(topic) ?? this.load(topic);
  }

  /** Reads the layout from the broker now (concurrent calls for one topic share the read). */
  load(topic: string): Promise<TopicLayout> {
    const pending = this.loading.get(topic);
    if (pending !== undefined) return pending;
    const read = this.read(topic)
      .then((layout) => {
        this.layouts.set(topic, { layout, fetchedAt: Date.now() });
        return layout;
      })
      .finally(() => this.loading.delete(topic));
    this.loading.set(topic, read);
    return read;
  }

  private async read(topic: string): Promise<TopicLayout> {
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics[0]?.partitions.length ?? 0;
    if (partitions === 0) throw new Error(`Kafka topic ${topic} has no partitions (does it exist?)`);
    const limit = await topicConfig(this.admin, topic, 'max.message.bytes').catch(() => brokerConfig(this.admin, 'message.max.bytes'));
    return { partitions, maxMessageBytes: Number(limit) };
  }
}
