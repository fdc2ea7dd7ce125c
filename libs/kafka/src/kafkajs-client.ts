import { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, LogEntry, SASLOptions } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** TLS options and SASL credentials of a secured cluster (KAFKA_SSL*, KAFKA_SASL_*); absent: PLAINTEXT. */
  security?: { ssl?: ConnectionOptions; sasl?: SASLOptions };
}

function logCreator() {
  return ({ level, log }: LogEntry) => {
    // kafkajs logs retriable coordinator errors at ERROR level while a fresh broker warms up;
    // they are retried, so only surface what outlives the retries (kafkajs rethrows those).
    // Its warning about bounded idempotent retries is handled: the publisher then recreates the producer.
    // A consumer's crash and restart are the consumer's to report (KafkajsBatchConsumer, CRASH), and
    // "write after end" is a request racing the disconnect of such a restart (it fails and is retried).
    const text = `${log.message} ${String(log.error ?? '')}`;
    if (
      level <= logLevel.WARN &&
      !/coordinator|leadership|rebalanc|Limiting retries for the idempotent producer|^Crash: |^Restarting the consumer|write after end/i.test(text)
    ) {
      process.stderr.write(`[kafkajs] ${log.message}${log.error ? `: ${String(log.error)}` : ''}\n`);
    }
  };
}

export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.security?.ssl ? { ssl: options.security.ssl } : {}),
    ...(options.security?.sasl ? { sasl: options.security.sasl } : {}),
    logLevel: logLevel.WARN,
    logCreator,
    // Fail fast on an unreachable or stuck broker (kafkajs waits 30 s for a response by default)
    // and cap the backoff, so a request outlives its caller's deadline by little.
    connectionTimeout: 2_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 8 },
  });
}
