import { LOG_LEVELS, MAX_EXECUTIONS_PER_REPORT, MAX_LOG_ENTRIES, MAX_TELEMETRY_SAMPLES, MODEL_EXECUTION_STATUSES, SCHEMA_VERSION } from './envelope';
import {
  MAX_COMMAND_ARGS,
  MAX_COUNT,
  MAX_EVENT_TEXT_LENGTH,
  MAX_ID_LENGTH,
  MAX_NAME_LENGTH,
  MAX_SAMPLE_KEYS,
  MAX_SUMMARY_KEYS_PER_PATCH,
  MAX_TELEMETRY_KEY_LENGTH,
  MAX_TELEMETRY_STRING_LENGTH,
  RESERVED_KEYS,
  TELEMETRY_KEY,
  timestampProblem,
} from './schema';
import { ACCEPTED_STATUS_WORDS, JOB_TYPES, TRIGGERS } from './statuses';
import { UUID_PATTERN } from './uuidv7';
import { isWellFormed } from './well-formed';

/*
 * A quick accept path for the event schema (schema.ts), which ingest checks before it publishes
 * and the materializer when it decodes: true only when the event certainly passes the schema,
 * checked without zod's per-check machinery; false sends it to the schema for the answer and the
 * reason. Never looser than the schema (the property test holds it to the schema's answers);
 * stricter where that is simpler.
 */

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'string' && value.length >= min && value.length <= max && isWellFormed(value);
const isTimestamp = (value: unknown): boolean => typeof value === 'string' && timestampProblem(value) === undefined;
const isFinite = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_COUNT;
const nullOr = (value: unknown, check: (v: unknown) => boolean): boolean => value === null || check(value);
/** zod's .optional(): a key that is absent or holds undefined passes. */
const optional = (value: unknown, check: (v: unknown) => boolean): boolean => value === undefined || check(value);
const oneOf = (values: readonly unknown[]): ReadonlySet<unknown> => new Set(values);

const ENVELOPE_KEYS = new Set(['event_id', 'type', 'schema_version', 'org_id', 'project_id', 'run_id', 'occurred_at', 'actor', 'payload']);
const CREATED_KEYS = new Set(['job_id', 'job_name', 'cronjob_name', 'namespace', 'job_type', 'triggered_by', 'target_gateway', 'command_argv']);
const PATCHED_KEYS = new Set([
  'status',
  'started_at',
  'finished_at',
  'error_summary',
  'append_log',
  'log_entries',
  'telemetry_summary',
  'append_telemetry_sample',
  'telemetry_samples',
]);
const CLAIMED_KEYS = new Set(['gateway', 'claim_id']);
const REPORTED_KEYS = new Set(['executions']);
const EXECUTION_KEYS = new Set([
  'id',
  'model_name',
  'status',
  'started_at',
  'completed_at',
  'rows_processed',
  'bytes_processed',
  'interval_start',
  'interval_end',
]);
const LOG_ENTRY_KEYS = new Set(['at', 'level', 'message']);
const SAMPLE_KEYS = new Set(['at', 'values']);
const LEVELS = oneOf(LOG_LEVELS);
const STATUS_WORDS = oneOf(ACCEPTED_STATUS_WORDS);
const EXECUTION_STATUSES = oneOf(MODEL_EXECUTION_STATUSES);
const JOB_TYPE_SET = oneOf(JOB_TYPES);
const TRIGGER_SET = oneOf(TRIGGERS);

/** Only keys from `allowed` (strictObject), and every key in `required` present. */
function shaped(value: Plain, allowed: ReadonlySet<string>, required: readonly string[] = []): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  for (const key of required) if (!(key in value)) return false;
  return true;
}

const isTelemetryKey = (key: string): boolean =>
  key.length >= 1 && key.length <= MAX_TELEMETRY_KEY_LENGTH && TELEMETRY_KEY.test(key) && !RESERVED_KEYS.has(key) && isWellFormed(key);

function isRecordOf(value: unknown, maxKeys: number, item: (v: unknown) => boolean): boolean {
  if (!isPlain(value)) return false;
  let keys = 0;
  for (const key in value) {
    keys += 1;
    if (keys > maxKeys || !isTelemetryKey(key) || !item(value[key])) return false;
  }
  return true;
}

const isSummaryValue = (value: unknown): boolean =>
  value === null || typeof value === 'boolean' || isFinite(value) || isText(value, 0, MAX_TELEMETRY_STRING_LENGTH);
const isLogEntry = (value: unknown): boolean =>
  isPlain(value) &&
  shaped(value, LOG_ENTRY_KEYS, ['at', 'level', 'message']) &&
  isTimestamp(value.at) &&
  LEVELS.has(value.level) &&
  isText(value.message, 0, MAX_EVENT_TEXT_LENGTH);
const isSample = (value: unknown): boolean =>
  isPlain(value) && shaped(value, SAMPLE_KEYS, ['at', 'values']) && isTimestamp(value.at) && isRecordOf(value.values, MAX_SAMPLE_KEYS, isFinite);
const isArrayOf = (value: unknown, min: number, max: number, item: (v: unknown) => boolean): boolean =>
  Array.isArray(value) && value.length >= min && value.length <= max && value.every(item);

function isCreated(p: Plain): boolean {
  return (
    shaped(p, CREATED_KEYS, ['job_id', 'job_name', 'cronjob_name', 'namespace', 'job_type', 'triggered_by', 'target_gateway']) &&
    isText(p.job_id, 0, MAX_ID_LENGTH) &&
    isText(p.job_name, 1, MAX_NAME_LENGTH) &&
    isText(p.cronjob_name, 0, MAX_NAME_LENGTH) &&
    isText(p.namespace, 0, MAX_NAME_LENGTH) &&
    JOB_TYPE_SET.has(p.job_type) &&
    TRIGGER_SET.has(p.triggered_by) &&
    isText(p.target_gateway, 0, MAX_ID_LENGTH) &&
    optional(p.command_argv, (argv) => isArrayOf(argv, 1, MAX_COMMAND_ARGS, (word) => isText(word, 0, MAX_EVENT_TEXT_LENGTH)))
  );
}

function isPatched(p: Plain): boolean {
  return (
    shaped(p, PATCHED_KEYS) &&
    optional(p.status, (status) => STATUS_WORDS.has(status)) &&
    optional(p.started_at, isTimestamp) &&
    optional(p.finished_at, isTimestamp) &&
    optional(p.error_summary, (text) => isText(text, 0, MAX_EVENT_TEXT_LENGTH)) &&
    optional(p.append_log, isLogEntry) &&
    optional(p.log_entries, (entries) => isArrayOf(entries, 0, MAX_LOG_ENTRIES, isLogEntry)) &&
    optional(p.telemetry_summary, (summary) => isRecordOf(summary, MAX_SUMMARY_KEYS_PER_PATCH, isSummaryValue)) &&
    optional(p.append_telemetry_sample, isSample) &&
    optional(p.telemetry_samples, (samples) => isArrayOf(samples, 0, MAX_TELEMETRY_SAMPLES, isSample))
  );
}

const isExecution = (e: unknown): boolean =>
  isPlain(e) &&
  shaped(e, EXECUTION_KEYS, [...EXECUTION_KEYS]) &&
  isText(e.id, 1, MAX_ID_LENGTH) &&
  isText(e.model_name, 1, MAX_NAME_LENGTH) &&
  EXECUTION_STATUSES.has(e.status) &&
  isTimestamp(e.started_at) &&
  nullOr(e.completed_at, isTimestamp) &&
  nullOr(e.rows_processed, isCount) &&
  nullOr(e.bytes_processed, isCount) &&
  nullOr(e.interval_start, isTimestamp) &&
  nullOr(e.interval_end, isTimestamp);

const PAYLOAD_CHECKS: Record<string, (payload: Plain) => boolean> = {
  'run.created': isCreated,
  'run.patched': isPatched,
  'run.claimed': (p) => shaped(p, CLAIMED_KEYS, ['gateway', 'claim_id']) && isText(p.gateway, 1, MAX_ID_LENGTH) && isText(p.claim_id, 1, MAX_ID_LENGTH),
  'model_executions.reported': (p) => shaped(p, REPORTED_KEYS, ['executions']) && isArrayOf(p.executions, 1, MAX_EXECUTIONS_PER_REPORT, isExecution),
};

/** True only when `event` certainly passes the event schema; false says nothing. */
export function isCertainlyValidEvent(event: unknown): boolean {
  if (!isPlain(event) || !shaped(event, ENVELOPE_KEYS, [...ENVELOPE_KEYS])) return false;
  const check = typeof event.type === 'string' && Object.hasOwn(PAYLOAD_CHECKS, event.type) ? PAYLOAD_CHECKS[event.type] : undefined;
  return (
    check !== undefined &&
    event.schema_version === SCHEMA_VERSION &&
    typeof event.event_id === 'string' &&
    UUID_PATTERN.test(event.event_id) &&
    isText(event.org_id, 1, MAX_ID_LENGTH) &&
    isText(event.project_id, 1, MAX_ID_LENGTH) &&
    isText(event.run_id, 1, MAX_ID_LENGTH) &&
    isTimestamp(event.occurred_at) &&
    isText(event.actor, 1, MAX_ID_LENGTH) &&
    isPlain(event.payload) &&
    check(event.payload)
  );
}
