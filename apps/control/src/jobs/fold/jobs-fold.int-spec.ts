import { setTimeout as sleep } from 'node:timers/promises';
import { ClickHouseStore, findJobCommand, jobStateReached, listProjectJobs, migrate, openClickHouse } from '@runstream/clickhouse';
import { encodeJobEvent, JOB_SPEC_DEFAULTS, JobEventEnvelope, JobEventPayloads, JobEventType, jobEventKey, uuidv7, validateJobEvent } from '@runstream/events';
import { createKafka, ensureTopics, IncomingMessage, KafkajsPublisher } from '@runstream/kafka';
import { isolatedEnv, readTopic } from '@runstream/testing';
import { Kafka } from 'kafkajs';
import { ControlConfig, loadControlConfig } from '../../config/control.config';
import { jobTopicSpecs } from '../../events/control-event-log';
import { JobsDeadLetters } from './jobs-dead-letters';
import { JobsFoldConsumer } from './jobs-fold.consumer';
import { JobsFoldService } from './jobs-fold.service';

/** One project's commands as the jobs topic holds them. */
function commands(projectId: string, firstOffset = 1) {
  let offset = firstOffset - 1;
  const message = <T extends JobEventType>(type: T, jobId: string, payload: Omit<JobEventPayloads[T], 'request_id'>): IncomingMessage => {
    offset += 1;
    const event = {
      event_id: uuidv7(),
      type,
      schema_version: 1,
      org_id: 'org',
      project_id: projectId,
      job_id: jobId,
      occurred_at: '2026-04-28T12:00:00.000Z',
      actor: 'tok',
      payload: { ...payload, request_id: `req_${offset}` },
    } as JobEventEnvelope;
    expect(validateJobEvent(event)).toBeUndefined();
    return { topic: 'jobs', partition: 0, offset: String(offset), key: 'org', value: encodeJobEvent(event) };
  };
  const spec = (name: string) => ({ ...JOB_SPEC_DEFAULTS, name, command: 'dbt build', schedule: '@daily' });
  return {
    create: (jobId: string, name: string) => message('job.created', jobId, { spec: spec(name) }),
    rename: (jobId: string, name: string) => message('job.updated', jobId, { changes: { name } }),
  };
}

/** One flush: job_a takes "nightly", job_b asks for it too (a conflict), then job_a moves on to "weekly". */
function flush(projectId: string): IncomingMessage[] {
  const c = commands(projectId);
  return [c.create('job_a', 'nightly'), c.create('job_b', 'nightly'), c.rename('job_a', 'weekly')];
}

/** The store, except that the process "dies" at its first insert after the one allowed through. */
function dyingAfterFirstInsert(store: ClickHouseStore): ClickHouseStore {
  let inserts = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'insert') {
        return async (...args: Parameters<ClickHouseStore['insert']>) => {
          inserts += 1;
          if (inserts > 1) throw new Error('process killed');
          return target.insert(...args);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A dead-letter sender on its own producer, as the control module builds it. */
function deadLettersOf(config: ControlConfig, kafka: Kafka): JobsDeadLetters {
  return new JobsDeadLetters(config, new KafkajsPublisher(kafka, { topics: [config.kafka.topics.jobDeadLetters] }));
}

/** Polls `read` until `done` holds of its answer (the consumer commits a moment after its writes). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

describe('jobs fold (real chDB and Kafka)', () => {
  let store: ClickHouseStore;
  let config: ControlConfig;
  let kafka: Kafka;
  let deadLetters: JobsDeadLetters;
  let fold: JobsFoldService;

  beforeAll(async () => {
    const env = isolatedEnv('jobs-fold');
    config = loadControlConfig({ ...env, CONTROL_JOBS_GROUP_ID: `${env.MATERIALIZER_GROUP_ID}-control-jobs` });
    store = openClickHouse(config.clickhouse);
    await migrate(store);
    kafka = createKafka(config.kafka);
    await ensureTopics(kafka, jobTopicSpecs(config.kafka));
    deadLetters = deadLettersOf(config, kafka);
    await deadLetters.connect();
    fold = new JobsFoldService(store, deadLetters);
  });

  afterAll(async () => {
    await deadLetters.disconnect();
    await store.close();
  });

  const outcomes = async (projectId: string) =>
    Promise.all(['req_1', 'req_2', 'req_3'].map(async (id) => (await findJobCommand(store, 'org', projectId, id))?.outcome));
  const jobs = async (projectId: string) => (await listProjectJobs(store, 'org', projectId)).map((row) => [row.id, row.name]);

  it('decides a flush in log order', async () => {
    await fold.fold(flush('proj_clean'));
    expect(await outcomes('proj_clean')).toEqual(['applied', 'conflict', 'applied']);
    expect(await jobs('proj_clean')).toEqual([['job_a', 'weekly']]);
    // What each handler waits for: the project's state its decision saw, the conflict's too (it names job_a).
    const offsets = await Promise.all(['req_1', 'req_2', 'req_3'].map(async (id) => (await findJobCommand(store, 'org', 'proj_clean', id))?.state_offset));
    expect(offsets).toEqual(['1', '1', '3']);
  });

  it("tells a change at a partition's first offset (0) from a project without jobs", async () => {
    const c = commands('proj_first', 0);
    await fold.fold([c.rename('job_none', 'x'), c.create('job_a', 'nightly'), c.rename('job_a', 'nightly')]);
    // req_0: no such job, in a project without any jobs: nothing to wait for.
    expect(await findJobCommand(store, 'org', 'proj_first', 'req_0')).toMatchObject({ outcome: 'not_found', state_offset: null });
    expect(await findJobCommand(store, 'org', 'proj_first', 'req_1')).toMatchObject({ outcome: 'applied', state_offset: '1' });
    // An update to the name it already has changes nothing, but was decided on the state req_1 made.
    expect(await findJobCommand(store, 'org', 'proj_first', 'req_2')).toMatchObject({ outcome: 'applied', reason: 'unchanged', state_offset: '1' });
    const c0 = commands('proj_zero', 0);
    await fold.fold([c0.create('job_a', 'nightly')]);
    expect(await findJobCommand(store, 'org', 'proj_zero', 'req_0')).toMatchObject({ outcome: 'applied', state_offset: '0' });
    expect(await jobStateReached(store, 'org', 'proj_zero', '0')).toBe(true);
  });

  it('replays a flush cut between its two writes to what one uninterrupted fold leaves', async () => {
    await expect(new JobsFoldService(dyingAfterFirstInsert(store), deadLetters).fold(flush('proj_cut'))).rejects.toThrow('process killed');
    // The consumer did not commit: the next member folds the same messages again.
    await fold.fold(flush('proj_cut'));
    expect(await outcomes('proj_cut')).toEqual(['applied', 'conflict', 'applied']);
    expect(await jobs('proj_cut')).toEqual([['job_a', 'weekly']]);
    // And once more, as after a crash past both writes but before the commit.
    await fold.fold(flush('proj_cut'));
    expect(await outcomes('proj_cut')).toEqual(['applied', 'conflict', 'applied']);
    expect(await jobs('proj_cut')).toEqual([['job_a', 'weekly']]);
  });

  it("tells a handler when the project's rows hold the state its decision saw, a conflict's too", async () => {
    await expect(new JobsFoldService(dyingAfterFirstInsert(store), deadLetters).fold(flush('proj_wait'))).rejects.toThrow('process killed');
    // Cut between the writes: the decisions are there, the rows they saw are not yet.
    const [applied, conflict] = await Promise.all([findJobCommand(store, 'org', 'proj_wait', 'req_3'), findJobCommand(store, 'org', 'proj_wait', 'req_2')]);
    expect(applied).toMatchObject({ outcome: 'applied', job_id: 'job_a', state_offset: '3' });
    expect(conflict).toMatchObject({ outcome: 'conflict', job_id: 'job_b', state_offset: '1' });
    expect(await jobStateReached(store, 'org', 'proj_wait', '1')).toBe(false);
    await fold.fold(flush('proj_wait'));
    expect(await jobStateReached(store, 'org', 'proj_wait', '1')).toBe(true);
    expect(await jobStateReached(store, 'org', 'proj_wait', '3')).toBe(true);
    expect(await jobStateReached(store, 'org', 'proj_wait', '4')).toBe(false);
  });
  it('rejects, writing nothing, when a dead letter cannot be published, so the consumer retries the flush', async () => {
    const closed = deadLettersOf(config, kafka);
    await closed.disconnect();
    const c = commands('proj_dlq_down');
    const poison: IncomingMessage = { topic: 'jobs', partition: 0, offset: '0', key: 'org/proj_dlq_down', value: Buffer.from('{"not":"a job event"}') };
    await expect(new JobsFoldService(store, closed).fold([poison, c.create('job_a', 'nightly')])).rejects.toThrow(/shutting down/);
    expect(await findJobCommand(store, 'org', 'proj_dlq_down', 'req_1')).toBeUndefined();
  });

  it('dead-letters an undecodable message with its bytes and reason, folds the next, and commits past both', async () => {
    const topic = config.kafka.topics.jobs;
    const key = jobEventKey('org', 'proj_dlq');
    const bad = Buffer.from('{"not":"a job event"}');
    const good = commands('proj_dlq').create('job_a', 'nightly');
    const producer = new KafkajsPublisher(kafka);
    await producer.connect();
    try {
      // One key, so one partition, in this order.
      await producer.publish(topic, [{ key, value: bad }]);
      await producer.publish(topic, [{ key, value: good.value ?? Buffer.alloc(0) }]);
    } finally {
      await producer.disconnect();
    }
    const written = await readTopic(config.kafka.brokers, topic, 2);
    const [first, second] = written.sort((a, b) => Number(a.offset) - Number(b.offset));
    expect([first.value, first.partition]).toEqual([bad.toString(), second.partition]);

    const consumerDeadLetters = deadLettersOf(config, kafka);
    const consumer = new JobsFoldConsumer(config, new JobsFoldService(store, consumerDeadLetters), consumerDeadLetters, store);
    await consumer.onApplicationBootstrap();
    try {
      const decided = await eventually(
        () => findJobCommand(store, 'org', 'proj_dlq', 'req_1'),
        (row) => row !== undefined,
      );
      expect(decided).toMatchObject({ outcome: 'applied', job_id: 'job_a' });
      expect(await listProjectJobs(store, 'org', 'proj_dlq')).toMatchObject([{ id: 'job_a', name: 'nightly' }]);

      const [letter] = await readTopic(config.kafka.brokers, config.kafka.topics.jobDeadLetters, 1);
      expect(letter).toMatchObject({ key, value: bad.toString() });
      expect(letter.headers).toMatchObject({ 'dlq.topic': topic, 'dlq.partition': String(first.partition), 'dlq.offset': first.offset });
      expect(letter.headers['dlq.reason']).toMatch(/^invalid job event: /);

      const admin = kafka.admin();
      await admin.connect();
      try {
        const committed = await eventually(
          async () => {
            const [offsets] = await admin.fetchOffsets({ groupId: config.jobsFold.groupId, topics: [topic] });
            return Number(offsets.partitions.find((p) => p.partition === first.partition)?.offset ?? -1);
          },
          (offset) => offset > Number(second.offset),
        );
        expect(committed).toBe(Number(second.offset) + 1);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await consumer.beforeApplicationShutdown();
    }
  });
});
