import { z } from 'zod';
import {
  LOG_LEVELS,
  MAX_EXECUTIONS_PER_REPORT,
  MAX_LOG_ENTRIES,
  MAX_TELEMETRY_SAMPLES,
  MODEL_EXECUTION_STATUSES,
  RUN_EVENT_TYPES,
  RunEventType,
  SCHEMA_VERSION,
} from './envelope';
import { ACCEPTED_STATUS_WORDS, JOB_TYPES, TRIGGERS } from './statuses';
import { UUID_PATTERN } from './uuidv7';
import { isWellFormed } from './well-formed';

/**
 * The schema of every event on runs.events.v1: what the materializer's fold and the
 * ClickHouse inserts rely on, checked by ingest before it publishes (validateEvent) and by the
 * materializer when it decodes (decodeEvent). An event that passes folds and inserts without
 * a server refusal; one that does not is dead-lettered by the materializer.
 */

/** Text fields (log lines, error summaries): ingest accepts 10,000 characters, and scrubbing may lengthen them. */
export const MAX_EVENT_TEXT_LENGTH = 32_768;
/** Ids and names: org, project, run, token, execution ids, gateways. */
export const MAX_ID_LENGTH = 256;
export const MAX_NAME_LENGTH = 512;
/** Words of a job's command (the argv an executor runs). */
export const MAX_COMMAND_ARGS = 256;
export const MAX_SUMMARY_KEYS_PER_PATCH = 64;
export const MAX_SAMPLE_KEYS = 32;
export const MAX_TELEMETRY_KEY_LENGTH = 64;
export const MAX_TELEMETRY_STRING_LENGTH = 1024;
/** DateTime64 holds 1900-01-01 to 2299-12-31 (UTC); outside it ClickHouse clamps or refuses. */
export const MIN_TIMESTAMP_YEAR = 1900;
export const MAX_TIMESTAMP_YEAR = 2299;
/** UInt64 columns take JSON numbers; above 2^53 a number is no longer exact in JavaScript. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

export const TELEMETRY_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Keys that mean something to JavaScript objects; never data. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

const PLAIN_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function digits2(value: string, at: number): number {
  return (value.charCodeAt(at) - 48) * 10 + value.charCodeAt(at + 1) - 48;
}

/**
 * True for the form nearly every event carries ('YYYY-MM-DDThh:mm:ss.sssZ', what toISOString
 * gives) when it is valid and inside the range, checked without the allocations of the general
 * path below; anything else takes that path.
 */
function isPlainUtc(value: string): boolean {
  if (value.length !== 24 || !PLAIN_UTC.test(value)) return false;
  const year = digits2(value, 0) * 100 + digits2(value, 2);
  const month = digits2(value, 5);
  const day = digits2(value, 8);
  return (
    year >= MIN_TIMESTAMP_YEAR &&
    year <= MAX_TIMESTAMP_YEAR &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    digits2(value, 11) <= 23 &&
    digits2(value, 14) <= 59 &&
    digits2(value, 17) <= 59
  );
}

/**
 * Why `value` is not an RFC 3339 date-time ClickHouse can store, or undefined. Date.parse alone
 * is not enough: it accepts "2026-02-30" (as 2 March) and other forms ClickHouse never sees.
 */
export function timestampProblem(value: string): string | undefined {
  if (isPlainUtc(value)) return undefined;
  const m = RFC3339.exec(value);
  if (!m) return 'must be an RFC 3339 date-time (YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm))';
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return 'is not a calendar date-time';
  if (m[9] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return 'has an invalid UTC offset';
  // An offset moves the UTC year by at most one: only the range's edge years need the date worked out.
  const utcYear = year > MIN_TIMESTAMP_YEAR && year < MAX_TIMESTAMP_YEAR ? year : new Date(Date.parse(value)).getUTCFullYear();
  if (!(utcYear >= MIN_TIMESTAMP_YEAR && utcYear <= MAX_TIMESTAMP_YEAR)) return `must lie in the years ${MIN_TIMESTAMP_YEAR} to ${MAX_TIMESTAMP_YEAR} (UTC)`;
  return undefined;
}

/** Well-formed UTF-16: ClickHouse refuses a JSON string holding a lone surrogate. */
const text = (min: number, max: number) => z.string().min(min).max(max).refine(isWellFormed, 'must not contain unpaired surrogates');
const timestamp = z.string().superRefine((value, ctx) => {
  const problem = timestampProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const count = z.number().int().min(0).max(MAX_COUNT);
const telemetryKey = text(1, MAX_TELEMETRY_KEY_LENGTH)
  .regex(TELEMETRY_KEY, `must match ${TELEMETRY_KEY.source}`)
  .refine((key) => !RESERVED_KEYS.has(key), 'is a reserved name');
/** z.number() already refuses NaN and ±Infinity (JSON's 1e999 parses to Infinity). */
const finite = z.number();

const runCreated = z.strictObject({
  job_id: text(0, MAX_ID_LENGTH),
  job_name: text(1, MAX_NAME_LENGTH),
  cronjob_name: text(0, MAX_NAME_LENGTH),
  namespace: text(0, MAX_NAME_LENGTH),
  job_type: z.enum(JOB_TYPES),
  triggered_by: z.enum(TRIGGERS),
  target_gateway: text(0, MAX_ID_LENGTH),
  command_argv: z.array(text(0, MAX_EVENT_TEXT_LENGTH)).min(1).max(MAX_COMMAND_ARGS).optional(),
});

const logEntry = z.strictObject({ at: timestamp, level: z.enum(LOG_LEVELS), message: text(0, MAX_EVENT_TEXT_LENGTH) });
const summaryValue = z.union([text(0, MAX_TELEMETRY_STRING_LENGTH), finite, z.boolean(), z.null()]);
const telemetrySample = z.strictObject({
  at: timestamp,
  values: z.record(telemetryKey, finite).refine((values) => Object.keys(values).length <= MAX_SAMPLE_KEYS, `must hold at most ${MAX_SAMPLE_KEYS} measurements`),
});

const runPatched = z.strictObject({
  status: z.enum(ACCEPTED_STATUS_WORDS as [string, ...string[]]).optional(),
  started_at: timestamp.optional(),
  finished_at: timestamp.optional(),
  error_summary: text(0, MAX_EVENT_TEXT_LENGTH).optional(),
  append_log: logEntry.optional(),
  log_entries: z.array(logEntry).max(MAX_LOG_ENTRIES).optional(),
  telemetry_summary: z
    .record(telemetryKey, summaryValue)
    .refine((summary) => Object.keys(summary).length <= MAX_SUMMARY_KEYS_PER_PATCH, `must have at most ${MAX_SUMMARY_KEYS_PER_PATCH} keys`)
    .optional(),
  append_telemetry_sample: telemetrySample.optional(),
  telemetry_samples: z.array(telemetrySample).max(MAX_TELEMETRY_SAMPLES).optional(),
});

const runClaimed = z.strictObject({ gateway: text(1, MAX_ID_LENGTH), claim_id: text(1, MAX_ID_LENGTH) });

const modelExecution = z.strictObject({
  id: text(1, MAX_ID_LENGTH),
  model_name: text(1, MAX_NAME_LENGTH),
  status: z.enum(MODEL_EXECUTION_STATUSES),
  started_at: timestamp,
  completed_at: timestamp.nullable(),
  rows_processed: count.nullable(),
  bytes_processed: count.nullable(),
  interval_start: timestamp.nullable(),
  interval_end: timestamp.nullable(),
});

const executionsReported = z.strictObject({ executions: z.array(modelExecution).min(1).max(MAX_EXECUTIONS_PER_REPORT) });

const PAYLOADS: Record<RunEventType, z.ZodType> = {
  'run.created': runCreated,
  'run.patched': runPatched,
  'run.claimed': runClaimed,
  'model_executions.reported': executionsReported,
};

const envelope = z.strictObject({
  event_id: z.string().regex(UUID_PATTERN, 'must be a lowercase UUID'),
  type: z.enum(RUN_EVENT_TYPES as [RunEventType, ...RunEventType[]]),
  schema_version: z.literal(SCHEMA_VERSION),
  org_id: text(1, MAX_ID_LENGTH),
  project_id: text(1, MAX_ID_LENGTH),
  run_id: text(1, MAX_ID_LENGTH),
  occurred_at: timestamp,
  actor: text(1, MAX_ID_LENGTH),
  payload: z.record(z.string(), z.unknown()),
});

/** No event nests deeper than envelope.payload.telemetry_samples[i].values.key. */
const MAX_DEPTH = 6;

/**
 * Why the shape of `value` is hostile, or undefined: a reserved key anywhere (JSON.parse makes
 * `__proto__` an own key, and copying it could set a prototype) or nesting no event has
 * (checked before any recursive walk can exhaust the stack).
 */
function hostileShape(value: unknown, path: string, depth: number): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth > MAX_DEPTH) return `${path}: nested too deeply`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = hostileShape(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (RESERVED_KEYS.has(key)) return `${path}.${key}: reserved key`;
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null) {
      const found = hostileShape(item, `${path}.${key}`, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function describe(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${path || 'event'}: ${issue.message}${more}`;
}

/**
 * The schema's answer for `event` (see validateEvent, which tries a quick accept path first):
 * why it is not a valid run event, naming the first offending field, or undefined.
 */
export function eventSchemaProblem(event: unknown): string | undefined {
  const hostile = hostileShape(event, 'event', 0);
  if (hostile) return hostile;
  const head = envelope.safeParse(event);
  if (!head.success) return describe(head.error, '');
  const body = PAYLOADS[head.data.type].safeParse(head.data.payload);
  return body.success ? undefined : describe(body.error, 'payload');
}
