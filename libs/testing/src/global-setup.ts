import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLICKHOUSE_IMAGE, dockerEngineAvailable, KAFKA_IMAGE, REPO_ROOT, TEST_CHDB_DIR, TEST_KAFKA_PORT } from './infra';

interface Started {
  stop: () => Promise<void>;
}

declare global {
  var __runstreamInfra: Started[] | undefined;
}

/**
 * Gives the integration tier a real Kafka and ClickHouse, in this order of preference:
 * KAFKA_BROKERS / CLICKHOUSE_URL from the environment; containers when a Docker engine
 * answers; else a local broker from deploy/kafka/kafka.sh and embedded chDB.
 * The choice lands in process.env, which the jest workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  process.env.TZ = 'UTC';
  // Tests that run apps as child processes (crash, faults) need dist/; built once here, since
  // a build per test file would delete dist/ under another file's running children.
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const started: Started[] = [];
  const docker = (!process.env.KAFKA_BROKERS || !process.env.CLICKHOUSE_URL) && dockerEngineAvailable();

  if (!process.env.KAFKA_BROKERS) {
    if (docker) {
      const { KafkaContainer } = await import('@testcontainers/kafka');
      const kafka = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
      process.env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
      started.push({ stop: async () => void (await kafka.stop()) });
      console.log(`\n[infra] Kafka: container ${KAFKA_IMAGE} at ${process.env.KAFKA_BROKERS}`);
    } else {
      const home = join(REPO_ROOT, '.data', `test-kafka-${TEST_KAFKA_PORT}`);
      const env = { ...process.env, KAFKA_PORT: String(TEST_KAFKA_PORT), KAFKA_HOME: home };
      const script = join(REPO_ROOT, 'deploy', 'kafka', 'kafka.sh');
      execFileSync(script, ['stop'], { env, stdio: 'inherit' });
      rmSync(home, { recursive: true, force: true });
      execFileSync(script, ['start'], { env, stdio: 'inherit' });
      process.env.KAFKA_BROKERS = `127.0.0.1:${TEST_KAFKA_PORT}`;
      started.push({ stop: async () => void execFileSync(script, ['stop'], { env, stdio: 'inherit' }) });
      console.log(`\n[infra] Kafka: local broker (deploy/kafka/kafka.sh) at ${process.env.KAFKA_BROKERS}`);
    }
  } else {
    console.log(`\n[infra] Kafka: KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
  }

  if (!process.env.CLICKHOUSE_URL && docker) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const clickhouse = await new GenericContainer(CLICKHOUSE_IMAGE)
      .withExposedPorts(8123)
      .withEnvironment({ CLICKHOUSE_SKIP_USER_SETUP: '1' })
      .withWaitStrategy(Wait.forHttp('/ping', 8123))
      .start();
    process.env.CLICKHOUSE_URL = `http://${clickhouse.getHost()}:${clickhouse.getMappedPort(8123)}`;
    started.push({ stop: async () => void (await clickhouse.stop()) });
  }
  if (process.env.CLICKHOUSE_URL) console.log(`[infra] ClickHouse: server at ${process.env.CLICKHOUSE_URL}`);
  else {
    rmSync(TEST_CHDB_DIR, { recursive: true, force: true });
    console.log('[infra] ClickHouse: embedded chDB, one data directory per jest worker');
  }
  globalThis.__runstreamInfra = started;
}
