import { JOB_EVENTS_DLQ_TOPIC, JOB_EVENTS_TOPIC, RUN_EVENTS_DLQ_TOPIC, RUN_EVENTS_TOPIC } from '@runstream/events';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { KafkaSecurity, kafkaSecurity, KafkaSecurityEnv } from './kafka-security';
import { splitList } from './load-config';

@ValidatorConstraint({ name: 'atMostReplicationFactor' })
class AtMostReplicationFactor implements ValidatorConstraintInterface {
  validate(value: number, args: ValidationArguments): boolean {
    return value <= (args.object as KafkaEnv).KAFKA_REPLICATION_FACTOR;
  }

  defaultMessage(): string {
    return 'KAFKA_MIN_INSYNC_REPLICAS must not exceed KAFKA_REPLICATION_FACTOR (writes with acks=all would always fail)';
  }
}

@ValidatorConstraint({ name: 'clusterNeedsServer' })
class ClusterNeedsServer implements ValidatorConstraintInterface {
  validate(_value: string, args: ValidationArguments): boolean {
    return Boolean((args.object as ClickHouseEnv).CLICKHOUSE_URL);
  }

  defaultMessage(): string {
    return 'CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL (embedded chDB is a single node)';
  }
}

/** Env shared by every app: Kafka and ClickHouse coordinates (and how to reach a secured cluster: kafka-security.ts). */
export class KafkaEnv extends KafkaSecurityEnv {
  @Matches(/^\s*[^,\s]+:\d+(\s*,\s*[^,\s]+:\d+)*\s*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsString()
  KAFKA_CLIENT_ID = 'runstream';

  /** Partitions of runs.events.v1 when the apps create it; an existing topic keeps its count. */
  @IsInt()
  @Min(1)
  @Max(1024)
  KAFKA_TOPIC_PARTITIONS: number = 6;

  /** Prepended to every topic name, for clusters shared between environments (and tests). */
  @Matches(/^[A-Za-z0-9._-]*$/, { message: 'KAFKA_TOPIC_PREFIX may contain letters, digits, . _ - only' })
  KAFKA_TOPIC_PREFIX = '';

  /**
   * Copies of each partition of the topics the apps create; an existing topic with fewer is
   * refused at startup. 1 for a local single broker; production: 3.
   */
  @IsInt()
  @Min(1)
  @Max(16)
  KAFKA_REPLICATION_FACTOR: number = 1;

  /**
   * Copies a write must reach before acks=all acknowledges it (topic min.insync.replicas).
   * Production: 2 with replication factor 3, so one broker may fail without losing writes or availability.
   */
  @IsInt()
  @Min(1)
  @Max(16)
  @Validate(AtMostReplicationFactor)
  KAFKA_MIN_INSYNC_REPLICAS: number = 1;
}

export class ClickHouseEnv {
  /** A real ClickHouse server (http[s]://user:pass@host:8123). Unset: embedded chDB at CLICKHOUSE_PATH. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'CLICKHOUSE_URL must be an http(s) URL' })
  CLICKHOUSE_URL?: string;

  @IsString()
  CLICKHOUSE_PATH = '.data/chdb';

  @Matches(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'CLICKHOUSE_DATABASE must be a plain identifier' })
  CLICKHOUSE_DATABASE = 'runstream';

  /**
   * A cluster named in the servers' remote_servers: migrations then run ON CLUSTER with
   * Replicated* engines (one shard, every server a replica). Unset: single-node DDL.
   */
  @IsOptional()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'CLICKHOUSE_CLUSTER must be a plain identifier' })
  @Validate(ClusterNeedsServer)
  CLICKHOUSE_CLUSTER?: string;

  /**
   * Embedded chDB only: sessions an app opens on the data directory, so up to this many of its
   * statements run at once (a server keeps its own HTTP connection pool). Unset: the app's own
   * choice, else the store's default (libs/clickhouse DEFAULT_EMBEDDED_SESSIONS).
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(64)
  CLICKHOUSE_EMBEDDED_SESSIONS?: number;

  /**
   * A ClickHouse server only: the most bytes of bound key lists one lookup puts in its request URL
   * (the server takes 1 MiB, http_max_uri_size). Behind a proxy or load balancer with a smaller
   * URL limit (ingress-nginx: 8 KiB by default), set it below that limit: lookups then take more,
   * smaller requests instead of being refused with 414.
   */
  @IsInt()
  @Min(4_096)
  @Max(1_048_576)
  CLICKHOUSE_MAX_URL_BYTES: number = 262_144;
}

export class LogEnv {
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL = 'log';

  /** json: one JSON object per line (pino) for log pipelines; text: Nest's console lines (npm start sets it). */
  @IsIn(['json', 'text'])
  LOG_FORMAT: 'json' | 'text' = 'json';
}

export class HttpEnv extends LogEnv {
  @IsString()
  HOST = '127.0.0.1';

  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  topicPartitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
  /** jobs: job definition commands (jobs.events.v1), keyed by org/project; jobDeadLetters: what the jobs fold cannot decode. */
  topics: { events: string; deadLetters: string; jobs: string; jobDeadLetters: string };
  /** TLS and SASL; empty for PLAINTEXT. */
  security: KafkaSecurity;
}

export interface ClickHouseConfig {
  url?: string;
  path: string;
  database: string;
  /** Set: migrations create replicated tables ON CLUSTER (libs/clickhouse cluster-ddl.ts). */
  cluster?: string;
  /** Embedded chDB: statements that may run at once; unset, the store's default. */
  sessions?: number;
  /** CLICKHOUSE_MAX_URL_BYTES: the bound key lists of one lookup at most (key-chunks.ts). */
  maxUrlBytes?: number;
}

export interface LogConfig {
  level: string;
  format: 'json' | 'text';
}

export interface HttpConfig {
  host: string;
  port: number;
  logLevel: string;
  logFormat: 'json' | 'text';
}

export function logConfig(env: LogEnv): LogConfig {
  return { level: env.LOG_LEVEL, format: env.LOG_FORMAT };
}

export function kafkaConfig(env: KafkaEnv, clientId: string): KafkaConfig {
  return {
    brokers: splitList(env.KAFKA_BROKERS),
    clientId: `${env.KAFKA_CLIENT_ID}-${clientId}`,
    topicPartitions: env.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS,
    topics: {
      events: `${env.KAFKA_TOPIC_PREFIX}${RUN_EVENTS_TOPIC}`,
      deadLetters: `${env.KAFKA_TOPIC_PREFIX}${RUN_EVENTS_DLQ_TOPIC}`,
      jobs: `${env.KAFKA_TOPIC_PREFIX}${JOB_EVENTS_TOPIC}`,
      jobDeadLetters: `${env.KAFKA_TOPIC_PREFIX}${JOB_EVENTS_DLQ_TOPIC}`,
    },
    security: kafkaSecurity(env),
  };
}

/** `appSessions`: an app's own number of embedded sessions, which CLICKHOUSE_EMBEDDED_SESSIONS overrides. */
export function clickHouseConfig(env: ClickHouseEnv, appSessions?: number): ClickHouseConfig {
  return {
    url: env.CLICKHOUSE_URL,
    path: env.CLICKHOUSE_PATH,
    database: env.CLICKHOUSE_DATABASE,
    cluster: env.CLICKHOUSE_CLUSTER,
    sessions: env.CLICKHOUSE_EMBEDDED_SESSIONS ?? appSessions,
    maxUrlBytes: env.CLICKHOUSE_MAX_URL_BYTES,
  };
}

export function httpConfig(env: HttpEnv): HttpConfig {
  return { host: env.HOST, port: env.PORT, logLevel: env.LOG_LEVEL, logFormat: env.LOG_FORMAT };
}
