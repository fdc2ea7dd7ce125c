import {
  LogEntry,
  MAX_EVENT_TEXT_LENGTH,
  MAX_LOG_ENTRIES,
  ModelExecution,
  RunEventEnvelope,
  RunEventPayloads,
  RunEventType,
  RunPatchedPayload,
  SCHEMA_VERSION,
  TelemetrySample,
  TelemetrySummary,
  TelemetryValue,
  toCanonicalStatus,
  truncateText,
  uuidv7,
} from '@runstream/events';
import { Caller, FieldError } from '@runstream/http';
import { LogEntryDto, PatchRunDto } from './dto/patch-run.dto';
import { ModelExecutionDto } from './dto/report-model-executions.dto';
import { MAX_STRING_VALUE } from './dto/telemetry.validators';
import { scrub } from './scrub';

/** How a payload's text is scrubbed: `scrub` itself, or a lookup of texts scrubbed elsewhere (text-scrubber.ts). */
export type ScrubText = (text: string) => string;

/** The event one write makes; `now` is its server time. */
export function runEvent<T extends RunEventType>(
  caller: Caller,
  projectId: string,
  runId: string,
  type: T,
  payload: RunEventPayloads[T],
  now = new Date(),
): RunEventEnvelope<T> {
  return {
    event_id: uuidv7(now.getTime()),
    type,
    schema_version: SCHEMA_VERSION,
    org_id: caller.orgId,
    project_id: projectId,
    run_id: runId,
    occurred_at: now.toISOString(),
    actor: caller.tokenId,
    payload,
  };
}

/** class-validator's IsOptional lets null through: a null field counts as an absent one. */
export function isGiven<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

/** Validated RFC 3339 (field-validators.ts) to UTC with milliseconds. */
function toIso(value: string): string {
  return new Date(value).toISOString();
}

function toSample(sample: Record<string, number | string>, now: Date): TelemetrySample {
  const values: Record<string, number> = {};
  for (const [key, value] of Object.entries(sample)) if (key !== 'at' && typeof value === 'number') values[key] = value;
  return { at: typeof sample.at === 'string' ? toIso(sample.at) : now.toISOString(), values };
}

function toLogEntry(entry: { at: string; level: LogEntry['level']; message: string }, scrubText: ScrubText): LogEntry {
  return { at: toIso(entry.at), level: entry.level, message: scrubbedText(entry.message, scrubText) };
}

/**
 * Scrubbed text within the event's text limit: each redaction is longer than what it replaces
 * (`a=;` → `a=[REDACTED];`), so a message the API accepted could otherwise make an event the
 * schema refuses, a 400 the client could not act on.
 */
function scrubbedText(text: string, scrubText: ScrubText): string {
  return truncateText(scrubText(text), MAX_EVENT_TEXT_LENGTH);
}

/**
 * String values scrubbed like log text, cut back to the length a summary string may have (a
 * replaced secret can be longer than the secret). A null-prototype copy: keys are data.
 */
function storedSummary(summary: Record<string, TelemetryValue>, scrubText: ScrubText): TelemetrySummary {
  const stored = Object.create(null) as TelemetrySummary;
  for (const [key, value] of Object.entries(summary)) stored[key] = typeof value === 'string' ? truncateText(scrubText(value), MAX_STRING_VALUE) : value;
  return stored;
}

/** True when a PATCH carries no field (null fields count as absent). */
export function isEmptyPatch(dto: PatchRunDto): boolean {
  return Object.values(dto).every((value) => !isGiven(value));
}

/** A log replace as the run keeps it: its last MAX_LOG_ENTRIES lines ("capped at 500 lines server-side"). */
function keptLogEntries(dto: PatchRunDto): LogEntryDto[] {
  return (dto.logEntries ?? []).slice(-MAX_LOG_ENTRIES);
}

/** Every text of a PATCH that is scrubbed before it is stored. */
export function patchTexts(dto: PatchRunDto): string[] {
  const texts: string[] = [];
  if (isGiven(dto.errorSummary)) texts.push(dto.errorSummary);
  if (isGiven(dto.appendLog)) texts.push(dto.appendLog.message);
  for (const entry of keptLogEntries(dto)) texts.push(entry.message);
  for (const value of Object.values(dto.telemetrySummary ?? {})) if (typeof value === 'string') texts.push(value);
  return texts;
}

/** The event payload of one PATCH: canonical status, UTC times, scrubbed text. */
export function patchPayload(dto: PatchRunDto, now: Date, scrubText: ScrubText = scrub): RunPatchedPayload {
  const payload: RunPatchedPayload = {};
  if (isGiven(dto.status)) payload.status = toCanonicalStatus(dto.status);
  if (isGiven(dto.startedAt)) payload.started_at = toIso(dto.startedAt);
  if (isGiven(dto.finishedAt)) payload.finished_at = toIso(dto.finishedAt);
  if (isGiven(dto.errorSummary)) payload.error_summary = scrubbedText(dto.errorSummary, scrubText);
  if (isGiven(dto.appendLog)) payload.append_log = toLogEntry({ ...dto.appendLog, at: now.toISOString() }, scrubText);
  if (isGiven(dto.logEntries)) payload.log_entries = keptLogEntries(dto).map((entry) => toLogEntry(entry, scrubText));
  if (isGiven(dto.telemetrySummary)) payload.telemetry_summary = storedSummary(dto.telemetrySummary, scrubText);
  if (isGiven(dto.appendTelemetrySample)) payload.append_telemetry_sample = toSample(dto.appendTelemetrySample, now);
  if (isGiven(dto.telemetrySamples)) payload.telemetry_samples = dto.telemetrySamples.map((sample) => toSample(sample, now));
  return payload;
}

function optionalIso(value: string | null | undefined): string | null {
  return isGiven(value) ? toIso(value) : null;
}

export function toModelExecution(dto: ModelExecutionDto): ModelExecution {
  return {
    id: dto.id ?? `exec_${uuidv7().replace(/-/g, '')}`,
    model_name: dto.model_name,
    status: dto.status === 'succeeded' ? 'success' : dto.status,
    started_at: toIso(dto.started_at),
    completed_at: optionalIso(dto.completed_at),
    rows_processed: dto.rows_processed ?? null,
    bytes_processed: dto.bytes_processed ?? null,
    interval_start: optionalIso(dto.interval_start),
    interval_end: optionalIso(dto.interval_end),
  };
}

/** Rules across fields, which class-validator checks one at a time. */
export function executionProblems(dto: ModelExecutionDto, index: number): FieldError[] {
  const problems: FieldError[] = [];
  if (isGiven(dto.completed_at) && Date.parse(dto.completed_at) < Date.parse(dto.started_at)) {
    problems.push({ field: `executions.${index}.completed_at`, reasons: ['completed_at must not be before started_at'] });
  }
  if (isGiven(dto.interval_start) && isGiven(dto.interval_end) && Date.parse(dto.interval_end) < Date.parse(dto.interval_start)) {
    problems.push({ field: `executions.${index}.interval_end`, reasons: ['interval_end must not be before interval_start'] });
  }
  return problems;
}
