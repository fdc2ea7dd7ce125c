import { kafkaConfig, KafkaEnv, loadEnv } from '@runstream/config';
import { connectChecked, createKafka, ensureTopics, KafkaClusterError, runTopicSpecs } from '@runstream/kafka';
import { eventually, http } from '@runstream/testing';
import { OwnBroker } from '../faults/support/own-broker';
import { bearer, startStack, Stack } from '../support/stack';

/**
 * The walking skeleton through a broker that serves clients only over TLS with SASL/SCRAM, as a
 * managed Kafka service does (deploy/kafka/kafka.sh KAFKA_SECURITY=sasl_ssl: a local CA signs the
 * broker's certificate; user runstream). Every app connects with KAFKA_SSL* and KAFKA_SASL_*.
 */
describe('Kafka over TLS + SASL/SCRAM: the walking skeleton, and clear refusals', () => {
  let broker: OwnBroker;
  let stack: Stack;
  let secured: NodeJS.ProcessEnv;
  const projectId = `proj_sasl_${Date.now()}`;

  beforeAll(async () => {
    broker = await OwnBroker.create('sasl_ssl');
    await broker.start();
    secured = {
      KAFKA_BROKERS: broker.brokers,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: broker.caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'runstream',
      KAFKA_SASL_PASSWORD: 'runstream-secret',
    };
    stack = await startStack('kafka-sasl-ssl', secured);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await broker?.close();
  });

  it('takes a run from POST to its read-back through the secured broker', async () => {
    const created = await http<{ id: string }>('POST', `${stack.ingestUrl}/api/elt/runs`, { projectId, jobName: 'secured-run' }, bearer(stack.tokens.user));
    expect(created.status).toBe(201);
    const runId = created.body.id;
    expect(
      (await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${runId}`, { status: 'running', startedAt: '2026-02-26T06:00:00Z' }, bearer(stack.tokens.user)))
        .status,
    ).toBe(202);
    expect(
      (await http('PATCH', `${stack.ingestUrl}/api/elt/runs/${runId}`, { status: 'succeeded', finishedAt: '2026-02-26T06:00:10Z' }, bearer(stack.tokens.user)))
        .status,
    ).toBe(202);
    const run = await eventually(async () => {
      const list = await http<{ runs: { id: string; status: string; duration_seconds: number | null }[] }>(
        'GET',
        `${stack.queryUrl}/api/v1/projects/${projectId}/runs`,
        undefined,
        bearer(stack.tokens.user),
      );
      return list.body.runs?.find((r) => r.id === runId && r.status === 'success');
    }, 'the run read back as success');
    expect(run.duration_seconds).toBe(10);
  });

  // Every app's boot runs ensureTopics first (an app that fails there exits; one built here would leave its half-started parts open).
  it('refuses a wrong password at boot, naming the SASL settings', async () => {
    const config = kafkaConfig(loadEnv({ kafka: KafkaEnv }, { ...stack.env, ...secured, KAFKA_SASL_PASSWORD: 'wrong' }).kafka, 'wrong-password');
    await expect(ensureTopics(createKafka(config), runTopicSpecs(config), config.brokers)).rejects.toThrow(
      /KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
  });

  it('refuses (does not hang) a client that speaks PLAINTEXT to the TLS listener', async () => {
    const config = kafkaConfig(loadEnv({ kafka: KafkaEnv }, { KAFKA_BROKERS: broker.brokers }).kafka, 'plaintext-probe');
    const attempt = connectChecked(createKafka(config), config.brokers, 5_000);
    await expect(attempt).rejects.toBeInstanceOf(KafkaClusterError);
    await expect(attempt).rejects.toThrow(/127\.0\.0\.1/);
  });

  it('refuses a CA that did not sign the broker', async () => {
    const config = kafkaConfig(loadEnv({ kafka: KafkaEnv }, { ...secured, KAFKA_SSL_CA_FILE: undefined }).kafka, 'wrong-ca-probe');
    await expect(connectChecked(createKafka(config), config.brokers, 10_000)).rejects.toThrow(/TLS failed|certificate/);
  });
});
