import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { Admin, ConfigResourceTypes, Kafka } from 'kafkajs';
import { Backoff } from './backoff';
import { clusterFacts, connectChecked, KafkaClusterError } from './cluster-check';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Copies of each partition; unset: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Copies that must have a write before acks=all acknowledges it; unset: the broker default. */
  minInsyncReplicas?: number;
  /**
   * Created with retention.ms and retention.bytes -1: the topic is a log of record (the source
   * of truth a rebuild replays), which the broker's default retention (7 days) would cut.
   */
  keepForever?: boolean;
}

/** The slice of an app's Kafka config that says which topics it uses and how durable they must be. */
export interface RunTopicsConfig {
  topicPartitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
  topics: { events: string; deadLetters: string };
}

/** The run events topic and its dead-letter topic, as every app creates or checks them. */
export function runTopicSpecs(config: RunTopicsConfig): TopicSpec[] {
  const { topicPartitions: numPartitions, replicationFactor, minInsyncReplicas } = config;
  return [config.topics.events, config.topics.deadLetters].map((topic) => ({ topic, numPartitions, replicationFactor, minInsyncReplicas, keepForever: true }));
}

/** An existing topic keeps fewer copies than configured: acks=all would not mean what it promises. */
export class TopicDurabilityError extends Error {
  override readonly name = 'TopicDurabilityError';

  constructor(topic: string, actual: { replicationFactor: number; minInsyncReplicas: number }, wanted: TopicSpec) {
    super(
      `Topic ${topic} has replication factor ${actual.replicationFactor} and min.insync.replicas ${actual.minInsyncReplicas}; ` +
        `configured: replication factor ${wanted.replicationFactor ?? 'any'}, min.insync.replicas ${wanted.minInsyncReplicas ?? 'any'}. ` +
        'Raise them on the topic (kafka-reassign-partitions, kafka-configs) or lower KAFKA_REPLICATION_FACTOR / KAFKA_MIN_INSYNC_REPLICAS.',
    );
  }
}

/**
 * Creates missing topics with the configured replication and min.insync.replicas; refuses
 * (TopicDurabilityError) an existing topic weaker than configured, and warns of a log of record
 * with limited retention. Partition counts of
 * existing topics are left as they are (they never shrink); the answer gives each topic's
 * count as it is now, for the folds to check against the one they were built under.
 */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[], brokers: readonly string[] = []): Promise<Map<string, number>> {
  const admin = await connectChecked(kafka, brokers);
  try {
    const facts = await clusterFacts(admin);
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    const needed = Math.max(0, ...missing.map((spec) => spec.replicationFactor ?? 0));
    if (needed > facts.brokers) {
      throw new KafkaClusterError(
        `KAFKA_REPLICATION_FACTOR ${needed} needs at least ${needed} brokers to create ${missing[0].topic}; cluster ${facts.clusterId} has ${facts.brokers}`,
      );
    }
    if (missing.length > 0) await createTopics(admin, missing);
    // Topics just created here or by another app starting beside this one: their metadata reaches
    // every broker a moment later.
    await waitForLeaders(
      admin,
      specs.map((spec) => spec.topic),
    );
    // Also checks topics just created: another instance may have won the race with other settings.
    await withDescribeConfigsAcl(specs, async () => {
      for (const spec of specs) await checkDurability(admin, spec);
      await checkCompression(admin, specs);
      for (const topic of await limitedRetention(admin, specs)) new Logger('Kafka').warn(limitedRetentionWarning(topic));
    });
    const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((spec) => spec.topic) });
    return new Map(topics.map((topic) => [topic.name, topic.partitions.length]));
  } finally {
    await admin.disconnect();
  }
}

async function createTopics(admin: Admin, missing: TopicSpec[]): Promise<void> {
  try {
    await admin.createTopics({
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.numPartitions,
        replicationFactor: spec.replicationFactor ?? -1,
        configEntries: topicConfigEntries(spec),
      })),
      // kafkajs's own wait gives up on the first UNKNOWN_TOPIC_OR_PARTITION (waitForLeaders below does not).
      waitForLeaders: false,
    });
  } catch (error) {
    const names = missing.map((spec) => `${spec.topic} (${spec.numPartitions} partitions)`).join(', ');
    throw new KafkaClusterError(`cannot create ${names}: ${(error as Error).message}; create them yourself, or let this principal create topics`);
  }
}

function topicConfigEntries(spec: TopicSpec): { name: string; value: string }[] {
  // The batches stay as the producer sent them (uncompressed): the broker's own compression.type
  // may name a codec kafkajs cannot read (checkCompression).
  const entries = [{ name: 'compression.type', value: 'producer' }];
  if (spec.minInsyncReplicas !== undefined) entries.push({ name: 'min.insync.replicas', value: String(spec.minInsyncReplicas) });
  if (spec.keepForever) entries.push({ name: 'retention.ms', value: '-1' }, { name: 'retention.bytes', value: '-1' });
  return entries;
}

/** Codecs kafkajs 2.2.4 cannot decompress without a plugin: a topic recompressing to one stops every consumer. */
const UNREADABLE_CODECS = new Set(['snappy', 'lz4', 'zstd']);

/**
 * Refuses a topic whose compression.type makes the broker store batches in a codec kafkajs cannot
 * read: ingest would go on accepting writes while the materializer, notifier and jobs fold crash
 * on every start ("ZSTD compression not implemented").
 */
export async function checkCompression(admin: Pick<Admin, 'describeConfigs'>, specs: readonly TopicSpec[]): Promise<void> {
  const configs = await topicConfigs(
    admin,
    specs.map((spec) => spec.topic),
    ['compression.type'],
  );
  for (const [topic, value] of configs) {
    const codec = value('compression.type') ?? 'producer';
    if (UNREADABLE_CODECS.has(codec)) {
      throw new KafkaClusterError(
        `topic ${topic} has compression.type=${codec}, which the apps' Kafka client (kafkajs) cannot read: ` +
          `set it to producer, uncompressed or gzip (kafka-configs --alter --entity-type topics --entity-name ${topic} --add-config compression.type=producer)`,
      );
    }
  }
}

/** The named configs of each topic (their effective values), read in one describeConfigs call. */
async function topicConfigs(
  admin: Pick<Admin, 'describeConfigs'>,
  topics: readonly string[],
  configNames: string[],
): Promise<Map<string, (name: string) => string | undefined>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames })),
  });
  return new Map(
    resources.map((resource) => [resource.resourceName, (name: string) => resource.configEntries.find((entry) => entry.configName === name)?.configValue]),
  );
}

/** The Kafka error type of an ACL refusal, when it is one. */
function authorizationFailure(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.endsWith('_AUTHORIZATION_FAILED') ? type : undefined;
}

/** Runs reads of the topics' configs, naming the ACL they need when the broker refuses it. */
export async function withDescribeConfigsAcl(specs: readonly TopicSpec[], reads: () => Promise<void>): Promise<void> {
  try {
    await reads();
  } catch (error) {
    const refused = authorizationFailure(error);
    if (refused === undefined) throw error;
    throw new KafkaClusterError(
      `Kafka refused to describe the configs of ${specs.map((spec) => spec.topic).join(', ')} (${refused}): ` +
        'the apps check durability, retention and compression at start and need the DescribeConfigs ACL on these topics (docs/kafka.md, "ACLs")',
    );
  }
}

/** A log of record (keepForever) whose broker drops events after a time or past a size. */
export interface LimitedRetention {
  topic: string;
  retentionMs: string;
  retentionBytes: string;
}

/**
 * The keepForever topics that do not keep every event: created before the apps set unlimited
 * retention, or by hand. Reported, not changed: the retention may be the operator's choice.
 */
export async function limitedRetention(admin: Pick<Admin, 'describeConfigs'>, specs: readonly TopicSpec[]): Promise<LimitedRetention[]> {
  const topics = specs.filter((spec) => spec.keepForever).map((spec) => spec.topic);
  if (topics.length === 0) return [];
  const configs = await topicConfigs(admin, topics, ['retention.ms', 'retention.bytes']);
  return [...configs]
    .map(([topic, value]) => ({ topic, retentionMs: value('retention.ms') ?? '-1', retentionBytes: value('retention.bytes') ?? '-1' }))
    .filter((topic) => topic.retentionMs !== '-1' || topic.retentionBytes !== '-1');
}

export function limitedRetentionWarning({ topic, retentionMs, retentionBytes }: LimitedRetention): string {
  return (
    `Topic ${topic} keeps events for retention.ms=${retentionMs} and retention.bytes=${retentionBytes}, but it is a log of record: ` +
    'events past that are gone for good, and npm run rebuild refuses once any are. Set both to -1 (docs/kafka.md, "Retention")'
  );
}

/** How long new topics' partitions may take to have leaders before the app gives up starting. */
export const TOPIC_LEADERS_TIMEOUT_MS = 30_000;

/** What a broker answers about a topic created a moment ago, until the controller's metadata reaches it. */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER']);

function settling(error: unknown): boolean {
  const { type, cause } = error as { type?: string; cause?: unknown };
  return SETTLING.has(type ?? '') || (cause !== undefined && settling(cause));
}

/** Waits until every partition of `topics` has a leader; a settling answer is asked again, with backoff. */
export async function waitForLeaders(admin: Pick<Admin, 'fetchTopicMetadata'>, topics: string[], timeoutMs = TOPIC_LEADERS_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const backoff = new Backoff(50, 1_000);
  for (;;) {
    let waitingFor: string;
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const leaderless = metadata.topics.find((topic) => topic.partitions.length === 0 || topic.partitions.some((partition) => partition.leader < 0));
      if (leaderless === undefined) return;
      waitingFor = `leaders of ${leaderless.name}`;
    } catch (error) {
      if (!settling(error)) throw error;
      waitingFor = (error as Error).message;
    }
    if (Date.now() >= deadline) throw new KafkaClusterError(`topics ${topics.join(', ')} still settling after ${timeoutMs} ms: ${waitingFor}`);
    await sleep(backoff.nextDelayMs());
  }
}

async function checkDurability(admin: Admin, spec: TopicSpec): Promise<void> {
  if (spec.replicationFactor === undefined && spec.minInsyncReplicas === undefined) return;
  const { topics } = await admin.fetchTopicMetadata({ topics: [spec.topic] });
  const replicationFactor = Math.min(...topics[0].partitions.map((partition) => partition.replicas.length));
  const minInsyncReplicas = Number(await topicConfig(admin, spec.topic, 'min.insync.replicas'));
  const weaker =
    (spec.replicationFactor !== undefined && replicationFactor < spec.replicationFactor) ||
    (spec.minInsyncReplicas !== undefined && minInsyncReplicas < spec.minInsyncReplicas);
  if (weaker) throw new TopicDurabilityError(spec.topic, { replicationFactor, minInsyncReplicas }, spec);
}

/** The effective value of one topic config (the broker default when the topic sets none). */
export async function topicConfig(admin: Admin, topic: string, name: string): Promise<string> {
  return describedValue(admin, ConfigResourceTypes.TOPIC, topic, name);
}

/** The value of one broker config on the first broker the cluster lists. */
export async function brokerConfig(admin: Admin, name: string): Promise<string> {
  const { brokers } = await admin.describeCluster();
  return describedValue(admin, ConfigResourceTypes.BROKER, String(brokers[0].nodeId), name);
}

async function describedValue(admin: Admin, type: ConfigResourceTypes, resource: string, name: string): Promise<string> {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type, name: resource, configNames: [name] }] });
  const entry = resources[0]?.configEntries.find((candidate) => candidate.configName === name);
  if (entry === undefined) throw new Error(`Kafka did not describe ${name} of ${resource}`);
  return entry.configValue;
}
