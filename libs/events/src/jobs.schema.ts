import { z } from 'zod';
import { SCHEMA_VERSION } from './envelope';
import {
  AnyJobEvent,
  JOB_EVENT_TYPES,
  JOB_NAME_PATTERN,
  JOB_RESOURCE_NAMES,
  JOB_WEBHOOK_EVENTS,
  JobEventEnvelope,
  JobEventType,
  MAX_JOB_COMMAND_LENGTH,
  MAX_JOB_DESCRIPTION_LENGTH,
  MAX_JOB_ENV_VALUE_LENGTH,
  MAX_JOB_ENV_VARS,
  MAX_JOB_NAME_LENGTH,
  MAX_JOB_SCHEDULE_LENGTH,
  MAX_JOB_SLACK_CHANNEL_LENGTH,
  MAX_JOB_TIMEZONE_LENGTH,
  MAX_JOB_URL_LENGTH,
  MAX_JOB_WEBHOOK_HEADER_VALUE_LENGTH,
  MAX_JOB_WEBHOOK_HEADERS,
  MAX_WEBHOOK_DISABLED_REASON_LENGTH,
  MAX_WEBHOOK_SECRET_LENGTH,
  RESOURCE_QUANTITY_PATTERN,
  WEBHOOK_SECRET_PATTERN,
} from './jobs';
import { MAX_ID_LENGTH, timestampProblem } from './schema';
import { UUID_PATTERN } from './uuidv7';
import { isWellFormed } from './well-formed';

/**
 * The schema of every event on jobs.events.v1: the shape and bounds the jobs fold and the
 * ClickHouse rows rely on. The control app checks it before it publishes (validateJobEvent)
 * and the fold when it decodes (decodeJobEvent). What needs a library or the project's state
 * (cron syntax, argv parsing, unique names) is the app's and the fold's to check.
 */

const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const ENV_VAR_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** RFC 9110 token: the characters an HTTP header name may have. */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const text = (min: number, max: number) => z.string().min(min).max(max).refine(isWellFormed, 'must not contain unpaired surrogates');
const key = (pattern: RegExp) =>
  z
    .string()
    .max(256)
    .regex(pattern, `must match ${pattern.source}`)
    .refine((k) => !RESERVED_KEYS.has(k), 'is a reserved name');
const stringMap = (keyPattern: RegExp, maxKeys: number, maxValue: number) =>
  z.record(key(keyPattern), text(0, maxValue)).refine((map) => Object.keys(map).length <= maxKeys, `must have at most ${maxKeys} keys`);

const quantities = z.partialRecord(z.enum(JOB_RESOURCE_NAMES), z.string().regex(RESOURCE_QUANTITY_PATTERN, 'must be a Kubernetes quantity'));

export const jobSpecSchema = z.strictObject({
  name: z.string().min(1).max(MAX_JOB_NAME_LENGTH).regex(JOB_NAME_PATTERN, `must match ${JOB_NAME_PATTERN.source}`),
  description: text(0, MAX_JOB_DESCRIPTION_LENGTH),
  command: text(1, MAX_JOB_COMMAND_LENGTH),
  schedule: text(1, MAX_JOB_SCHEDULE_LENGTH),
  timezone: text(1, MAX_JOB_TIMEZONE_LENGTH),
  enabled: z.boolean(),
  resources: z.strictObject({ requests: quantities.optional(), limits: quantities.optional() }),
  environment: stringMap(ENV_VAR_NAME_PATTERN, MAX_JOB_ENV_VARS, MAX_JOB_ENV_VALUE_LENGTH),
  slack_channel: text(0, MAX_JOB_SLACK_CHANNEL_LENGTH),
  slack_alerts_enabled: z.boolean(),
  slack_alert_on_success: z.boolean(),
  webhook_url: text(0, MAX_JOB_URL_LENGTH),
  webhook_headers: stringMap(HEADER_NAME_PATTERN, MAX_JOB_WEBHOOK_HEADERS, MAX_JOB_WEBHOOK_HEADER_VALUE_LENGTH),
  webhook_events: z.array(z.enum(JOB_WEBHOOK_EVENTS)).max(JOB_WEBHOOK_EVENTS.length),
  webhook_enabled: z.boolean(),
});

const requestId = text(1, MAX_ID_LENGTH);
const webhookSecret = z.string().max(MAX_WEBHOOK_SECRET_LENGTH).regex(WEBHOOK_SECRET_PATTERN, 'must be whsec_ followed by base64');
const timestamp = z.string().refine((value) => timestampProblem(value) === undefined, 'must be an RFC 3339 date-time');

const PAYLOADS: Record<JobEventType, z.ZodType> = {
  'job.created': z.strictObject({ request_id: requestId, spec: jobSpecSchema, webhook_secret: webhookSecret.optional() }),
  'job.updated': z.strictObject({ request_id: requestId, changes: jobSpecSchema.partial() }),
  'job.deleted': z.strictObject({ request_id: requestId }),
  'job.webhook_secret_rotated': z.strictObject({ request_id: requestId, webhook_secret: webhookSecret, previous_expires_at: timestamp }),
  'job.webhook_disabled': z.strictObject({
    request_id: requestId,
    webhook_url: text(1, MAX_JOB_URL_LENGTH),
    reason: text(0, MAX_WEBHOOK_DISABLED_REASON_LENGTH),
  }),
};

const envelope = z.strictObject({
  event_id: z.string().regex(UUID_PATTERN, 'must be a lowercase UUID'),
  type: z.enum(JOB_EVENT_TYPES as [JobEventType, ...JobEventType[]]),
  schema_version: z.literal(SCHEMA_VERSION),
  org_id: text(1, MAX_ID_LENGTH),
  project_id: text(1, MAX_ID_LENGTH),
  job_id: text(1, MAX_ID_LENGTH),
  occurred_at: timestamp,
  actor: text(1, MAX_ID_LENGTH),
  payload: z.record(z.string(), z.unknown()),
});

function describe(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${path || 'event'}: ${issue.message}${more}`;
}

/** Why `event` is not a valid job event (naming the first offending field), or undefined. */
export function validateJobEvent(event: unknown): string | undefined {
  const head = envelope.safeParse(event);
  if (!head.success) return describe(head.error, '');
  const body = PAYLOADS[head.data.type].safeParse(head.data.payload);
  return body.success ? undefined : describe(body.error, 'payload');
}

export function encodeJobEvent(event: JobEventEnvelope): Buffer {
  return Buffer.from(JSON.stringify(event));
}

export type DecodeJobResult = { ok: true; event: AnyJobEvent } | { ok: false; reason: string };

/** Decodes and checks one message of jobs.events.v1; a failure carries the reason (the dead letter's dlq.reason). */
export function decodeJobEvent(value: Buffer | null): DecodeJobResult {
  if (value === null || value.length === 0) return { ok: false, reason: 'empty message value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `undecodable JSON: ${(error as Error).message}` };
  }
  const problem = validateJobEvent(parsed);
  return problem ? { ok: false, reason: `invalid job event: ${problem}` } : { ok: true, event: parsed as AnyJobEvent };
}
