import { Logger } from '@nestjs/common';
import { Admin, ConfigResourceTypes, Kafka } from 'kafkajs';

/** The cluster cannot serve the apps (unreachable, refused credentials, too few brokers, too old or too new): boot stops with why. */
export class KafkaClusterError extends Error {
  override readonly name = 'KafkaClusterError';
}

export interface ClusterFacts {
  clusterId: string;
  brokers: number;
  /** What the brokers say of their version: `3.9-IV0`, or that they are 4.0 or later. */
  version: string;
}

/** Longest the first connection may take before boot fails (kafkajs would otherwise retry for a while). */
export const CLUSTER_CONNECT_TIMEOUT_MS = 30_000;

const reported = new Set<string>();

function hint(error: Error): string {
  const text = `${error.name} ${error.message}`;
  if (/SASL|authenticat/i.test(text)) return 'the cluster refused the credentials: check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD';
  if (/certificate|self[- ]signed|SSL|TLS|EPROTO|wrong version number/i.test(text))
    return 'TLS failed: check KAFKA_SSL, KAFKA_SSL_CA_FILE (the CA that signed the brokers) and the client certificate';
  if (/UNSUPPORTED_VERSION|not support/i.test(text))
    return 'the brokers do not speak the protocol versions kafkajs 2.2.4 uses (see docs/kafka.md, "compatibility")';
  return 'check KAFKA_BROKERS, and KAFKA_SSL / KAFKA_SASL_* if the cluster is secured';
}

/** Connects an admin client within a deadline, turning the usual failures into one clear error. */
export async function connectChecked(kafka: Kafka, brokers: readonly string[], timeoutMs = CLUSTER_CONNECT_TIMEOUT_MS): Promise<Admin> {
  const admin = kafka.admin();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([admin.connect().then(() => admin.describeCluster()), deadline]);
    return admin;
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw new KafkaClusterError(`cannot use the Kafka cluster at ${brokers.join(',')}: ${(error as Error).message} (${hint(error as Error)})`);
  } finally {
    clearTimeout(timer);
  }
}

/** Who the cluster is: its id, broker count and version line, logged once per process and cluster. */
export async function clusterFacts(admin: Admin): Promise<ClusterFacts> {
  const cluster = await admin.describeCluster();
  let version = '4.0 or later (its brokers no longer report inter.broker.protocol.version)';
  try {
    const broker = String(cluster.brokers[0]?.nodeId ?? cluster.controller ?? 0);
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: broker, configNames: ['inter.broker.protocol.version'] }],
      includeSynonyms: false,
    });
    const value = resources[0]?.configEntries.find((entry) => entry.configName === 'inter.broker.protocol.version')?.configValue;
    if (value) version = value;
  } catch {
    // Reading broker configs may be denied by ACLs: the version is then just not known.
    version = 'unknown (describing broker configs was refused)';
  }
  const facts = { clusterId: cluster.clusterId, brokers: cluster.brokers.length, version };
  if (!reported.has(facts.clusterId)) {
    reported.add(facts.clusterId);
    new Logger('Kafka').log(`cluster ${facts.clusterId}: ${facts.brokers} broker(s), Kafka ${facts.version}`);
  }
  return facts;
}
