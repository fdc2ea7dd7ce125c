import { Logger } from '@nestjs/common';
import { insertTopicPartitions, migrate, openClickHouse, readMigrations, truncateReadModels } from '@runstream/clickhouse';
import { createKafka, IncomingMessage, KafkajsBatchConsumer, KafkajsPublisher } from '@runstream/kafka';
import { MaterializerConfig } from '../config/materializer.config';
import { MaterializeStats, MaterializerService } from '../consumer/materializer.service';
import { ReplayDeadLetterPublisher } from './replay-dead-letters';

export interface RebuildReport extends MaterializeStats {
  /** Per partition, the end offset the rebuild replayed up to and handed to the main group. */
  endOffsets: { partition: number; offset: string }[];
  /** Dead letters sent by this rebuild: events past the main group's commit, which it had not reached. */
  deadLettersPublished: number;
}

/** The topic's retention has dropped early events: replaying it would rebuild the read models without them. */
export class RebuildRefusedError extends Error {
  override readonly name = 'RebuildRefusedError';

  constructor(topic: string, trimmed: { partition: number; low: string }[]) {
    super(
      `not rebuilding: ${topic} no longer holds its first events (${trimmed.map((p) => `partition ${p.partition} starts at offset ${p.low}`).join(', ')}), ` +
        'so the read models would lose every run they came from; nothing was emptied. Its retention must be unlimited (docs/kafka.md)',
    );
  }
}

/**
 * The messages below their partition's end offset. Those past it were written while the rebuild
 * ran and are the main group's to fold after it: folded here too, the runs would already hold
 * them, and the main group would take them for applied and never dead-letter a refused one.
 */
export function withinReplay(messages: readonly IncomingMessage[], ends: ReadonlyMap<number, bigint>): IncomingMessage[] {
  return messages.filter((message) => BigInt(message.offset) < (ends.get(message.partition) ?? 0n));
}

/**
 * Empties the read models and replays runs.events.v1 from the beginning into them. The
 * materializer must be stopped (its group is rewound first and moved to the end last). A temporary
 * group replays up to the end offsets seen at the start; the main group then continues
 * from there, and anything written meanwhile is replayed once more, which changes nothing.
 * Dead letters go out once: those the main group already published are not sent again.
 */
export async function rebuildReadModels(config: MaterializerConfig, logger = new Logger('rebuild')): Promise<RebuildReport> {
  const store = openClickHouse(config.clickhouse);
  const kafka = createKafka(config.kafka);
  const admin = kafka.admin();
  await admin.connect();
  const topic = config.kafka.topics.events;
  const rebuildGroup = `${config.groupId}.rebuild.${Date.now()}`;
  let deadLetters: ReplayDeadLetterPublisher | undefined;
  try {
    await migrate(store, readMigrations(), { cluster: config.clickhouse.cluster });
    const offsets = await admin.fetchTopicOffsets(topic);
    // Before anything is emptied: a topic that no longer starts at its first event cannot rebuild what it dropped.
    const trimmed = offsets.filter((p) => BigInt(p.low) > 0n);
    if (trimmed.length > 0) throw new RebuildRefusedError(topic, trimmed);
    const [mainGroup] = await admin.fetchOffsets({ groupId: config.groupId, topics: [topic] });
    // Per partition, the offset the replay stops at and the main group then starts from.
    const ends = new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
    deadLetters = new ReplayDeadLetterPublisher(
      new KafkajsPublisher(createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-rebuild-dlq` }), { topics: [config.kafka.topics.deadLetters] }),
      new Map(mainGroup.partitions.map((p) => [p.partition, BigInt(p.offset)])),
      ends,
    );
    await deadLetters.connect();
    // Rewound before anything is emptied: readers of the group's commits (the notifier, the lease sweeper) then wait for the
    // tables instead of finding them empty, a rebuild cut short leaves the materializer to replay it all, and a running
    // materializer is found here (Kafka refuses offsets for a group with members), before any harm.
    await admin
      .setOffsets({ groupId: config.groupId, topic, partitions: offsets.map((p) => ({ partition: p.partition, offset: '0' })) })
      .catch((error: Error) => {
        throw new Error(`not rebuilding: could not rewind group ${config.groupId} (stop every materializer first): ${error.message}; nothing was emptied`);
      });
    await truncateReadModels(store);
    const endOffsets = offsets.map((p) => ({ partition: p.partition, offset: p.high }));
    // The read models are folded afresh under the topic as it is now.
    await insertTopicPartitions(store, topic, endOffsets.length);
    logger.log(`replaying ${topic} up to ${endOffsets.map((p) => `${p.partition}@${p.offset}`).join(', ')}`);
    const materializer = new MaterializerService(store, deadLetters, config);
    const consumer = new KafkajsBatchConsumer(kafka, {
      groupId: rebuildGroup,
      topic,
      maxBatchSize: config.maxBatchSize,
      flushIntervalMs: config.flushIntervalMs,
      maxBytesInFlight: config.maxBytesInFlight,
      fromBeginning: true,
      retryInitialMs: config.retry.initialMs,
      maxRetryMs: config.retry.maxTotalMs,
    });
    await consumer.start(async (messages) => {
      const replayed = withinReplay(messages, ends);
      if (replayed.length > 0) await materializer.materialize(replayed);
    });
    try {
      for (;;) {
        const state = consumer.state();
        if (state.status === 'failed') throw new Error(`rebuild failed: ${state.lastError ?? 'the consumer gave up'}`);
        const [committed] = await admin.fetchOffsets({ groupId: rebuildGroup, topics: [topic] });
        const done = endOffsets.every((end) => {
          const at = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          return BigInt(end.offset) === 0n || BigInt(at) >= BigInt(end.offset);
        });
        if (done) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await consumer.stop();
    }
    await admin.setOffsets({ groupId: config.groupId, topic, partitions: endOffsets });
    await admin.deleteGroups([rebuildGroup]).catch(() => undefined);
    logger.log(
      `rebuilt: ${JSON.stringify(materializer.totals)}; dead letters: ${deadLetters.published} sent, ${deadLetters.skipped} not (sent before, or left to the materializer)`,
    );
    return { ...materializer.totals, endOffsets, deadLettersPublished: deadLetters.published };
  } finally {
    await deadLetters?.disconnect();
    await admin.disconnect();
    await store.close();
  }
}
