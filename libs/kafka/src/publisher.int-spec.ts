import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTopic } from '@runstream/testing';
import { ConfigResourceTypes, Kafka } from 'kafkajs';
import { createKafka } from './kafkajs-client';
import { KafkajsPublisher } from './kafkajs-publisher';
import { MessageTooLargeError, PublisherOverloadedError, PublishTimeoutError } from './publish-errors';
import { ensureTopics } from './topics';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
const kafkaScript = join(__dirname, '..', '..', '..', 'deploy', 'kafka', 'kafka.sh');

describe('KafkajsPublisher on a real broker', () => {
  it('fails only the oversized writes when the topic limit shrank under it, and lands every other write exactly once', async () => {
    const kafka = createKafka({ brokers, clientId: 'publisher-int-spec' });
    const topic = `test.publisher.${randomBytes(4).toString('hex')}`;
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
    const publisher = new KafkajsPublisher(kafka, { topics: [topic] });
    await publisher.connect();
    try {
      const limitAtConnect = publisher.maxMessageBytes(topic);
      // Sequence numbers are past zero on every partition before the failure.
      await Promise.all(Array.from({ length: 30 }, (_, i) => publisher.publish(topic, [small(i)])));
      await setMaxMessageBytes(kafka, topic, 64 * 1024);

      const outcomes = await Promise.allSettled(
        Array.from({ length: 330 }, (_, i) => (i % 50 === 49 ? publisher.publish(topic, [large(i)]) : publisher.publish(topic, [small(i + 30)]))),
      );
      const rejected = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ i, reason: outcome.reason as Error }] : []));
      expect(rejected.map(({ i }) => i)).toEqual([49, 99, 149, 199, 249, 299]);
      for (const { reason } of rejected) {
        expect(reason).toBeInstanceOf(MessageTooLargeError);
        // The publisher learned the new limit from the broker's refusal, not at connect.
        expect((reason as MessageTooLargeError).maxBytes).toBeLessThan(64 * 1024);
      }
      expect(limitAtConnect).toBeGreaterThan(512 * 1024);
      expect(publisher.maxMessageBytes(topic)).toBeLessThan(64 * 1024);

      // Writes after the failure go through a new producer and are not dropped as duplicates.
      await Promise.all(Array.from({ length: 40 }, (_, i) => publisher.publish(topic, [small(1000 + i)])));
      const expected = 30 + 330 - 6 + 40;
      const read = await readTopic(brokers, topic, expected);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(read).toHaveLength(expected);
      expect(new Set(read.map((message) => message.value)).size).toBe(expected);
      expect(read.every((message) => message.value?.startsWith('small-'))).toBe(true);
    } finally {
      await publisher.disconnect();
    }
  });

  it('rejects a message over the topic limit before sending anything', async () => {
    const kafka = createKafka({ brokers, clientId: 'publisher-int-spec' });
    const topic = `test.publisher.${randomBytes(4).toString('hex')}`;
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }]);
    await setMaxMessageBytes(kafka, topic, 32 * 1024);
    const publisher = new KafkajsPublisher(kafka, { topics: [topic] });
    await publisher.connect();
    try {
      const error = await publisher.publish(topic, [small(1), large(2)]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MessageTooLargeError);
      expect(error).toMatchObject({ index: 1, maxBytes: publisher.maxMessageBytes(topic) });
      await publisher.publish(topic, [small(3)]);
      const read = await readTopic(brokers, topic, 1);
      expect(read.map((message) => message.value)).toEqual([small(3).value.toString()]);
    } finally {
      await publisher.disconnect();
    }
  });

  describe('with a broker that goes away', () => {
    let port: number;
    let home: string;
    const broker = (command: 'start' | 'stop') =>
      execFileSync(kafkaScript, [command], { env: { ...process.env, KAFKA_PORT: String(port), KAFKA_HOME: home }, stdio: 'ignore' });

    beforeAll(async () => {
      port = await freePortPair();
      home = mkdtempSync(join(tmpdir(), 'publisher-broker-'));
      broker('start');
    });

    afterAll(() => {
      broker('stop');
      rmSync(home, { recursive: true, force: true });
    });

    it('answers by the deadline while the broker is down, bounds pending bytes, and lands a write sent before the outage exactly once when it is back', async () => {
      const own = [`127.0.0.1:${port}`];
      const kafka = createKafka({ brokers: own, clientId: 'publisher-int-spec-outage' });
      const topic = `test.publisher.${randomBytes(4).toString('hex')}`;
      await ensureTopics(kafka, [{ topic, numPartitions: 2 }]);
      const deadlineMs = 1_500;
      const publisher = new KafkajsPublisher(kafka, { topics: [topic], deadlineMs, maxPendingBytes: 64 * 1024 });
      await publisher.connect();
      try {
        await publisher.publish(topic, [small(0)]);
        broker('stop');

        const inFlight = publisher.publish(topic, [small(1)]).catch((caught: unknown) => caught);
        const queued = publisher.publish(topic, [small(2)]).catch((caught: unknown) => caught);
        const overloaded = await publisher.publish(topic, [padded('big', 3, 63 * 1024)]).catch((caught: unknown) => caught);
        expect(overloaded).toBeInstanceOf(PublisherOverloadedError);

        const [first, second] = await Promise.all([inFlight, queued]);
        expect(first).toBeInstanceOf(PublishTimeoutError);
        expect(second).toBeInstanceOf(PublishTimeoutError);

        broker('start');
        await eventually(() => publisher.publish(topic, [small(4)]), 60_000);
        await publisher.publish(topic, [small(5)]);
        // Sent before its deadline, so in doubt until the broker answered the unchanged resend.
        expect(await (first as PublishTimeoutError).landed).toBe(true);
        // Sent in the same round or left the queue unsent at its deadline: landed says which.
        const secondLanded = await (second as PublishTimeoutError).landed;
        const expected = [0, 1, ...(secondLanded ? [2] : []), 4, 5].map((i) => small(i).value.toString());
        const read = await readTopic(own, topic, expected.length);
        expect(read.map((message) => message.value).sort()).toEqual(expected.sort());
        expect(await recordCount(kafka, topic)).toBe(expected.length);
      } finally {
        await publisher.disconnect();
      }
    });
  });
});

function padded(prefix: string, i: number, bytes: number) {
  const value = `${prefix}-${i}-`;
  return { key: `run_${i % 10}`, value: Buffer.from(value.padEnd(bytes, 'x')) };
}

const small = (i: number) => padded('small', i, 1024);
const large = (i: number) => padded('large', i, 200 * 1024);

async function setMaxMessageBytes(kafka: Kafka, topic: string, bytes: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'max.message.bytes', value: String(bytes) }] }],
    });
  } finally {
    await admin.disconnect();
  }
}

/** Records in the topic (its partitions' end offsets: nothing here is deleted or compacted). */
async function recordCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Retries `attempt` until it resolves (the publisher reconnects with backoff meanwhile). */
async function eventually(attempt: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

/** A port whose successor (the broker's controller port) is free too. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await listenOnce(0);
    if (
      await listenOnce(port + 1).then(
        () => true,
        () => false,
      )
    )
      return port;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}
