import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaConfig, KafkaEnv } from './shared-env';
import { ConfigError, loadEnv } from './load-config';

const load = (env: NodeJS.ProcessEnv) => kafkaConfig(loadEnv({ kafka: KafkaEnv }, env).kafka, 'test');

describe('Kafka security settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

  it('is PLAINTEXT with nothing set', () => {
    expect(load({}).security).toEqual({});
  });

  it('reads the CA file and takes SCRAM credentials', () => {
    const security = load({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: ca,
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    }).security;
    expect(security.ssl).toMatchObject({ rejectUnauthorized: true, ca: [expect.stringContaining('BEGIN CERTIFICATE')] });
    expect(security.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'u', password: 'p' });
  });

  it('fails at boot naming the variable', () => {
    expect(() => load({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })).toThrow(/KAFKA_SSL_CA_FILE: cannot read .*missing\.pem \(ENOENT\)/);
    expect(() => load({ KAFKA_SSL_CA_FILE: ca })).toThrow(/KAFKA_SSL must be true/);
    expect(() => load({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: ca })).toThrow(/KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together/);
    expect(() => load({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' })).toThrow(ConfigError);
    expect(() => load({ KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_USERNAME is required/);
    expect(() => load({ KAFKA_SSL: 'yes' })).toThrow(/KAFKA_SSL/);
  });
});
