import { Admin } from 'kafkajs';
import { KafkaClusterError } from './cluster-check';
import { waitForLeaders, withDescribeConfigsAcl } from './topics';

type Metadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;

const protocolError = (type: string, message: string) => Object.assign(new Error(message), { type });
const withLeaders = (...leaders: number[]): Metadata =>
  ({ topics: [{ name: 't', partitions: leaders.map((leader, partitionId) => ({ partitionId, leader })) }] }) as unknown as Metadata;

/** An admin whose metadata answers are scripted, one per call (the last repeats). */
function scripted(...answers: (Metadata | Error)[]): { admin: Pick<Admin, 'fetchTopicMetadata'>; calls: () => number } {
  let calls = 0;
  const admin = {
    fetchTopicMetadata: async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { admin, calls: () => calls };
}

describe('waitForLeaders', () => {
  it('asks again while a new topic is settling, until every partition has a leader', async () => {
    const unknown = protocolError('UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition');
    // kafkajs gives up retrying LEADER_NOT_AVAILABLE with the error as the cause.
    const exhausted = Object.assign(new Error('Number of retries exceeded'), { cause: protocolError('LEADER_NOT_AVAILABLE', 'no leader') });
    const { admin, calls } = scripted(unknown, exhausted, withLeaders(0, -1), withLeaders(0, 1));
    await waitForLeaders(admin, ['t'], 10_000);
    expect(calls()).toBe(4);
  });

  it('passes on at once an error that is not a topic settling', async () => {
    const denied = protocolError('TOPIC_AUTHORIZATION_FAILED', 'Not authorized to access topics');
    const { admin, calls } = scripted(denied);
    await expect(waitForLeaders(admin, ['t'], 10_000)).rejects.toBe(denied);
    expect(calls()).toBe(1);
  });

  it('gives up after its timeout, saying what it waited for', async () => {
    const { admin } = scripted(withLeaders(-1));
    const error = await waitForLeaders(admin, ['t'], 200).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KafkaClusterError);
    expect((error as Error).message).toBe('topics t still settling after 200 ms: leaders of t');
  });
});

describe('withDescribeConfigsAcl', () => {
  const specs = [{ topic: 'prod.runs.events.v1', numPartitions: 6 }];

  it('names the DescribeConfigs ACL when the broker refuses to describe the topics', async () => {
    const refused = withDescribeConfigsAcl(specs, () => Promise.reject(protocolError('TOPIC_AUTHORIZATION_FAILED', 'Not authorized to access topics')));
    await expect(refused).rejects.toBeInstanceOf(KafkaClusterError);
    await expect(refused).rejects.toThrow(/describe the configs of prod\.runs\.events\.v1 \(TOPIC_AUTHORIZATION_FAILED\).*DescribeConfigs ACL/);
  });

  it('passes any other failure on as it is', async () => {
    const other = protocolError('REQUEST_TIMED_OUT', 'timed out');
    await expect(withDescribeConfigsAcl(specs, () => Promise.reject(other))).rejects.toBe(other);
  });
});
