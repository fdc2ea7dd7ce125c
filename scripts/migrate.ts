/**
 * One-shot setup of a deployment (the container image's `migrate` argument, a Kubernetes Job):
 * applies the ClickHouse migrations and creates the Kafka topics (runs.events.v1, jobs.events.v1
 * and their dead-letter topics) with the configured partitions and durability, then exits.
 * The apps do both again at start; running it first means they start against a ready store and
 * log, and several replicas do not race to create the tables.
 * Uses the shared KAFKA_* and CLICKHOUSE_* settings (README).
 */
import 'reflect-metadata';
import { migrate, openClickHouse, readMigrations } from '@runstream/clickhouse';
import { ClickHouseEnv, clickHouseConfig, KafkaEnv, kafkaConfig, loadEnv } from '@runstream/config';
import { createKafka, ensureTopics, runTopicSpecs } from '@runstream/kafka';
import { jobTopicSpecs } from '../apps/control/src/events/control-event-log';

async function main(): Promise<void> {
  const env = loadEnv({ clickhouse: ClickHouseEnv, kafka: KafkaEnv });
  const clickhouse = clickHouseConfig(env.clickhouse);
  const store = openClickHouse(clickhouse);
  try {
    const applied = await migrate(store, readMigrations(), { cluster: clickhouse.cluster });
    console.log(`ClickHouse migrations applied now: ${applied.length ? applied.join(', ') : 'none'}`);
  } finally {
    await store.close();
  }
  const kafka = kafkaConfig(env.kafka, 'migrate');
  const specs = [...runTopicSpecs(kafka), ...jobTopicSpecs(kafka)];
  await ensureTopics(createKafka(kafka), specs, kafka.brokers);
  console.log(`Kafka topics ready: ${specs.map((spec) => spec.topic).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
