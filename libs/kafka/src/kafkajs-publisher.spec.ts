import { Kafka, Producer } from 'kafkajs';
import { KafkajsPublisher } from './kafkajs-publisher';
import { PublisherUnavailableError, PublishTimeoutError } from './publish-errors';

/**
 * The publisher's shutdown against a scripted kafkajs (no broker): a broker that refused a batch
 * over the producer's state (so only a new producer may resend it) and then went away for good.
 * Reproducing that order with a real broker is not possible on demand; the publisher's
 * outage behaviour on a real broker is in publisher.int-spec.ts.
 */
function brokerGoneAfterRefusal(): { kafka: Kafka; producersMade: () => number } {
  let made = 0;
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchTopicMetadata: async () => ({ topics: [{ name: 't', partitions: [{ partitionId: 0 }] }] }),
    describeConfigs: async () => ({ resources: [{ configEntries: [{ configName: 'max.message.bytes', configValue: '1048588' }] }] }),
  };
  const producer = (): Partial<Producer> => {
    made += 1;
    const first = made === 1;
    return {
      // Only the first producer connects: the broker is gone by the time a new one is wanted.
      connect: async () => {
        if (!first) throw Object.assign(new Error('Connection error: connect ECONNREFUSED'), { type: undefined });
      },
      disconnect: async () => undefined,
      sendBatch: async () => {
        throw Object.assign(new Error('This request was refused: unknown producer id'), { type: 'UNKNOWN_PRODUCER_ID' });
      },
    };
  };
  return { kafka: { admin: () => admin, producer } as unknown as Kafka, producersMade: () => made };
}

describe('KafkajsPublisher.disconnect', () => {
  it('gives up a write past its deadline that waits for a new producer while the broker is gone', async () => {
    const { kafka, producersMade } = brokerGoneAfterRefusal();
    const publisher = new KafkajsPublisher(kafka, { topics: ['t'], lanes: 1, deadlineMs: 50 });
    await publisher.connect();
    const timedOut = await publisher.publish('t', [{ key: 'run_1', value: Buffer.from('x') }]).catch((caught: unknown) => caught);
    expect(timedOut).toBeInstanceOf(PublishTimeoutError);
    expect(producersMade()).toBeGreaterThan(1);

    const closed = await Promise.race([publisher.disconnect().then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 10_000, 'hung'))]);
    expect(closed).toBe('closed');
    expect(await (timedOut as PublishTimeoutError).landed).toBe(false);
    await expect(publisher.publish('t', [{ key: 'run_1', value: Buffer.from('y') }])).rejects.toBeInstanceOf(PublisherUnavailableError);
  }, 20_000);
});
