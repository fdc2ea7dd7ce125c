import { ACCEPTED_STATUS_WORDS, isWellFormed, LOG_LEVELS, MAX_TELEMETRY_SAMPLES, timestampProblem } from '@runstream/events';
import { MAX_LOG_ENTRIES_SENT } from '../../http/write-guards';
import { Type } from '@nestjs/common';
import { FastValidators } from '@runstream/http';
import { ID_PATTERN } from './create-run.dto';
import { AppendLogDto, LogEntryDto, MAX_MESSAGE_LENGTH, PatchRunDto } from './patch-run.dto';
import { RunIdParams } from './run-id.params';
import { telemetrySampleProblems, telemetrySamplesProblems, telemetrySummaryProblems } from './telemetry.validators';

/*
 * Quick accept paths for the hot write routes' DTOs (see FastValidators): each answers the DTO
 * the validation pipe would build, or undefined whenever it is not certain the pipe would accept
 * the value, which then goes through class-validator for its answer and error shape. Stricter
 * than the decorators where that is simpler (lengths in UTF-16 units); never looser. The
 * property test (write-validators.spec.ts) holds each to the pipe.
 */

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** IsOptional: null and undefined skip every other rule. */
const absent = (value: unknown): boolean => value === undefined || value === null;

const STATUS_WORDS: ReadonlySet<unknown> = new Set(ACCEPTED_STATUS_WORDS);
const LEVELS: ReadonlySet<unknown> = new Set(LOG_LEVELS);

const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max && isWellFormed(value);
const isTimestamp = (value: unknown): boolean => typeof value === 'string' && timestampProblem(value) === undefined;

/** Only `keys`, each at most once (JSON objects from the parser have own keys only). */
function hasOnly(value: Plain, keys: ReadonlySet<string>): boolean {
  for (const key in value) if (!keys.has(key)) return false;
  return true;
}

const LOG_LINE_KEYS: ReadonlySet<string> = new Set(['level', 'message']);
const LOG_ENTRY_KEYS: ReadonlySet<string> = new Set(['level', 'message', 'at']);

function appendLog(value: unknown): AppendLogDto | undefined {
  if (!isPlain(value) || !hasOnly(value, LOG_LINE_KEYS) || !LEVELS.has(value.level) || !isText(value.message, MAX_MESSAGE_LENGTH)) return undefined;
  return Object.assign(new AppendLogDto(), value);
}

function logEntry(value: unknown): LogEntryDto | undefined {
  if (!isPlain(value) || !hasOnly(value, LOG_ENTRY_KEYS) || !LEVELS.has(value.level) || !isText(value.message, MAX_MESSAGE_LENGTH) || !isTimestamp(value.at))
    return undefined;
  return Object.assign(new LogEntryDto(), value);
}

function logEntries(value: unknown): LogEntryDto[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_LOG_ENTRIES_SENT) return undefined;
  const entries: LogEntryDto[] = [];
  for (const item of value) {
    const entry = logEntry(item);
    if (!entry) return undefined;
    entries.push(entry);
  }
  return entries;
}

const PATCH_KEYS: ReadonlySet<string> = new Set([
  'status',
  'startedAt',
  'finishedAt',
  'errorSummary',
  'appendLog',
  'logEntries',
  'telemetrySummary',
  'appendTelemetrySample',
  'telemetrySamples',
]);

/** Each field's rule when given (not null): true when valid as sent, or the DTO value built from it. */
const PATCH_FIELDS: Record<string, (value: unknown) => unknown> = {
  status: (v) => STATUS_WORDS.has(v),
  startedAt: isTimestamp,
  finishedAt: isTimestamp,
  errorSummary: (v) => isText(v, MAX_MESSAGE_LENGTH),
  appendLog,
  logEntries,
  telemetrySummary: (v) => telemetrySummaryProblems('telemetrySummary', v).length === 0,
  appendTelemetrySample: (v) => telemetrySampleProblems('appendTelemetrySample', v).length === 0,
  telemetrySamples: (v) => telemetrySamplesProblems('telemetrySamples', v, MAX_TELEMETRY_SAMPLES).length === 0,
};

export function quickPatchRun(value: unknown): PatchRunDto | undefined {
  if (!isPlain(value) || !hasOnly(value, PATCH_KEYS)) return undefined;
  const dto = new PatchRunDto() as unknown as Plain;
  for (const key in value) {
    const given = value[key];
    if (absent(given)) {
      dto[key] = given;
      continue;
    }
    const checked = PATCH_FIELDS[key](given);
    if (checked === false || checked === undefined) return undefined;
    dto[key] = checked === true ? given : checked;
  }
  return dto as unknown as PatchRunDto;
}

const ID_KEYS: ReadonlySet<string> = new Set(['id']);

export function quickRunIdParams(value: unknown): RunIdParams | undefined {
  if (!isPlain(value) || !hasOnly(value, ID_KEYS)) return undefined;
  const { id } = value;
  // ID_PATTERN is ASCII: its length is what Length(1, 128) counts.
  if (typeof id !== 'string' || id.length < 1 || id.length > 128 || !ID_PATTERN.test(id)) return undefined;
  return Object.assign(new RunIdParams(), { id });
}

/** The quick paths the ingest app's validation pipe takes. */
export const INGEST_FAST_VALIDATORS: FastValidators = new Map<Type<unknown>, (value: unknown) => object | undefined>([
  [PatchRunDto, quickPatchRun],
  [RunIdParams, quickRunIdParams],
]);
