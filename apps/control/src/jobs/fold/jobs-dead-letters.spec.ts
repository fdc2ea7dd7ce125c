import { EventPublisher, IncomingMessage, OutgoingMessage } from '@runstream/kafka';
import { AppMetrics } from '@runstream/observability';
import { loadControlConfig } from '../../config/control.config';
import { jobTopicSpecs } from '../../events/control-event-log';
import { JobsDeadLetters } from './jobs-dead-letters';

/** Records what it is asked to publish; `failing` makes publish reject, as a broker that never acknowledges. */
class RecordingPublisher implements EventPublisher {
  readonly published: { topic: string; messages: OutgoingMessage[] }[] = [];
  failing = false;

  connect(): Promise<void> {
    return Promise.resolve();
  }

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.failing) return Promise.reject(new Error('not acknowledged'));
    this.published.push({ topic, messages });
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}

describe('JobsDeadLetters', () => {
  const config = loadControlConfig({ KAFKA_TOPIC_PREFIX: 'staging.' });
  const message: IncomingMessage = {
    topic: 'staging.jobs.events.v1',
    partition: 2,
    offset: '41',
    key: 'org/proj',
    value: Buffer.from('{"not":"a job event"}'),
  };

  function setUp() {
    const publisher = new RecordingPublisher();
    const metrics = new AppMetrics('control');
    const sent = async () => {
      const line = (await metrics.exposition()).split('\n').find((l) => l.startsWith('runstream_control_jobs_fold_dead_letters_total'));
      return Number(line?.split(' ').at(-1));
    };
    return { publisher, sent, deadLetters: new JobsDeadLetters(config, publisher, metrics) };
  }

  it('publishes the original key and bytes to the prefixed jobs DLQ with the reason and origin in headers', async () => {
    const { publisher, sent, deadLetters } = setUp();
    await deadLetters.send([{ message, reason: 'invalid job event: type: Invalid input' }]);
    expect(publisher.published).toEqual([
      {
        topic: 'staging.jobs.events.dlq.v1',
        messages: [
          {
            key: 'org/proj',
            value: Buffer.from('{"not":"a job event"}'),
            headers: {
              'dlq.reason': 'invalid job event: type: Invalid input',
              'dlq.topic': 'staging.jobs.events.v1',
              'dlq.partition': '2',
              'dlq.offset': '41',
            },
          },
        ],
      },
    ]);
    expect(await sent()).toBe(1);
  });

  it('publishes nothing for a flush without dead letters', async () => {
    const { publisher, sent, deadLetters } = setUp();
    await deadLetters.send([]);
    expect(publisher.published).toEqual([]);
    expect(await sent()).toBe(0);
  });

  it('rejects, counting nothing, when the broker does not acknowledge (the fold fails and its flush is retried)', async () => {
    const { publisher, sent, deadLetters } = setUp();
    publisher.failing = true;
    await expect(deadLetters.send([{ message, reason: 'x' }])).rejects.toThrow('not acknowledged');
    expect(await sent()).toBe(0);
  });
});

describe('jobTopicSpecs', () => {
  it('creates the jobs topic and its DLQ with the settings of the run topics', () => {
    const { kafka } = loadControlConfig({
      KAFKA_TOPIC_PREFIX: 'p.',
      KAFKA_TOPIC_PARTITIONS: '12',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
    });
    expect(jobTopicSpecs(kafka)).toEqual([
      { topic: 'p.jobs.events.v1', numPartitions: 12, replicationFactor: 3, minInsyncReplicas: 2, keepForever: true },
      { topic: 'p.jobs.events.dlq.v1', numPartitions: 12, replicationFactor: 3, minInsyncReplicas: 2, keepForever: true },
    ]);
  });
});
