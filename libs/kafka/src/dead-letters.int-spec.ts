import { randomBytes } from 'node:crypto';
import { readTopic } from '@runstream/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { publishDeadLetters } from './dead-letters';
import { createKafka } from './kafkajs-client';
import { KafkajsPublisher } from './kafkajs-publisher';
import { ensureTopics } from './topics';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
const LIMIT = 16 * 1024;

describe('publishDeadLetters on a real broker', () => {
  it('sends a dead letter the topic is too small for without its value, marked, beside one that fits as it came', async () => {
    const kafka = createKafka({ brokers, clientId: 'dead-letters-int-spec' });
    const topic = `test.dlq.${randomBytes(4).toString('hex')}`;
    await ensureTopics(kafka, [{ topic, numPartitions: 1 }]);
    const admin = kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'max.message.bytes', value: String(LIMIT) }] }],
    });
    await admin.disconnect();
    const publisher = new KafkajsPublisher(kafka, { topics: [topic] });
    await publisher.connect();
    try {
      // A foreign producer's message right at its own topic's limit: with the dlq.* headers it no longer fits.
      const atLimit = Buffer.alloc(publisher.maxMessageBytes(topic) - 10, 0x7b);
      const source = { topic: 'runs.events.v1', partition: 2, key: 'run_1' };
      await publishDeadLetters(publisher, topic, [
        { message: { ...source, offset: '41', value: Buffer.from('not json') }, reason: 'not JSON' },
        { message: { ...source, offset: '42', value: atLimit }, reason: 'unknown schema_version' },
      ]);

      const read = await readTopic(brokers, topic, 2);
      expect(read.map((message) => message.headers['dlq.offset'])).toEqual(['41', '42']);
      expect(read[0]).toMatchObject({ key: 'run_1', value: 'not json' });
      expect(read[0].headers['dlq.value-dropped']).toBeUndefined();
      expect(read[1]).toMatchObject({ key: 'run_1', value: '' });
      expect(read[1].headers).toMatchObject({
        'dlq.reason': 'unknown schema_version',
        'dlq.value-dropped': String(atLimit.length),
        'dlq.topic': 'runs.events.v1',
      });
    } finally {
      await publisher.disconnect();
    }
  });
});
