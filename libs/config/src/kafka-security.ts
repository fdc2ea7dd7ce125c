import { readFileSync } from 'node:fs';
import { ConnectionOptions } from 'node:tls';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { ConfigError } from './load-config';

/** `true`/`1` and `false`/`0` from the raw text (implicit conversion would read "false" as true); anything else fails validation. */
export function parseFlag(raw: unknown, fallback = false): unknown {
  if (raw === undefined) return fallback;
  if (raw === true || raw === 'true' || raw === '1') return true;
  if (raw === false || raw === 'false' || raw === '0') return false;
  return raw;
}

const flag = (name: string, fallback: boolean) => Transform(({ obj }) => parseFlag((obj as Record<string, unknown>)[name], fallback));

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/**
 * How the apps reach an existing cluster: TLS (with a private CA and a client certificate when the
 * cluster asks for one) and SASL (PLAIN or SCRAM). Unset, they speak PLAINTEXT, as to the local broker.
 */
export class KafkaSecurityEnv {
  /** TLS to the brokers (SSL or SASL_SSL listeners). */
  @flag('KAFKA_SSL', false)
  @IsBoolean()
  KAFKA_SSL: boolean = false;

  /** PEM file of the CA(s) that signed the brokers' certificates; unset: the system's CAs. */
  @IsOptional()
  @IsString()
  KAFKA_SSL_CA_FILE?: string = undefined;

  /** PEM files of a client certificate and its key, for clusters that authenticate clients by TLS (mTLS). */
  @IsOptional()
  @IsString()
  KAFKA_SSL_CERT_FILE?: string = undefined;

  @IsOptional()
  @IsString()
  KAFKA_SSL_KEY_FILE?: string = undefined;

  @IsOptional()
  @IsString()
  KAFKA_SSL_KEY_PASSWORD?: string = undefined;

  /** false only for a test cluster with a self-signed certificate and no CA file: it turns off server verification. */
  @flag('KAFKA_SSL_REJECT_UNAUTHORIZED', true)
  @IsBoolean()
  KAFKA_SSL_REJECT_UNAUTHORIZED: boolean = true;

  /** SASL mechanism: plain, scram-sha-256 or scram-sha-512 (lower case, as kafkajs names them); unset: no SASL. */
  @IsOptional()
  @IsIn(SASL_MECHANISMS, { message: `KAFKA_SASL_MECHANISM must be one of ${SASL_MECHANISMS.join(', ')}` })
  KAFKA_SASL_MECHANISM?: SaslMechanism = undefined;

  @ValidateIf((env: KafkaSecurityEnv) => env.KAFKA_SASL_MECHANISM !== undefined)
  @IsString({ message: 'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM' })
  @Length(1, 1024)
  KAFKA_SASL_USERNAME?: string = undefined;

  @ValidateIf((env: KafkaSecurityEnv) => env.KAFKA_SASL_MECHANISM !== undefined)
  @IsString({ message: 'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM' })
  @Length(1, 4096)
  KAFKA_SASL_PASSWORD?: string = undefined;
}

export interface KafkaSecurity {
  /** TLS options for every broker connection; undefined: PLAINTEXT. */
  ssl?: ConnectionOptions;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

function readPem(variable: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
}

/** The security settings as kafkajs takes them; the PEM files are read now, so a missing one fails at boot naming its variable. */
export function kafkaSecurity(env: KafkaSecurityEnv): KafkaSecurity {
  const problems: string[] = [];
  const tlsFiles = [env.KAFKA_SSL_CA_FILE, env.KAFKA_SSL_CERT_FILE, env.KAFKA_SSL_KEY_FILE].some((file) => file !== undefined);
  if (tlsFiles && !env.KAFKA_SSL) problems.push('KAFKA_SSL must be true when KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE or KAFKA_SSL_KEY_FILE is set');
  if ((env.KAFKA_SSL_CERT_FILE === undefined) !== (env.KAFKA_SSL_KEY_FILE === undefined))
    problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together');
  if (problems.length > 0) throw new ConfigError(problems);
  const security: KafkaSecurity = {};
  if (env.KAFKA_SSL) {
    const ca = readPem('KAFKA_SSL_CA_FILE', env.KAFKA_SSL_CA_FILE);
    const cert = readPem('KAFKA_SSL_CERT_FILE', env.KAFKA_SSL_CERT_FILE);
    const key = readPem('KAFKA_SSL_KEY_FILE', env.KAFKA_SSL_KEY_FILE);
    security.ssl = {
      rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED,
      ...(ca ? { ca: [ca] } : {}),
      ...(cert && key ? { cert, key, ...(env.KAFKA_SSL_KEY_PASSWORD ? { passphrase: env.KAFKA_SSL_KEY_PASSWORD } : {}) } : {}),
    };
  }
  if (env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD) {
    security.sasl = { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD };
  }
  return security;
}
