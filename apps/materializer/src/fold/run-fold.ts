import { ChDateTime, ModelExecutionRow, RunLogEntryRow, RunRow, RunTelemetrySampleRow, toChDateTime } from '@runstream/clickhouse';
import {
  AnyRunEvent,
  isTerminal,
  LogEntry,
  MAX_LOG_ENTRIES,
  MAX_TELEMETRY_SAMPLES,
  RunEventEnvelope,
  RunStatus,
  TelemetrySample,
  toCanonicalStatus,
} from '@runstream/events';
import { mergeSummary, ringWrite } from './run-telemetry';

/** Where an event sits in the log: the fold's version and its replay guard. */
export interface LogPosition {
  partition: number;
  offset: string;
}

/** What one event writes: the run's new row (if it changed) and rows of the other read models. */
export interface FoldEffects {
  row?: RunRow;
  logs: RunLogEntryRow[];
  samples: RunTelemetrySampleRow[];
  executions: ModelExecutionRow[];
}

export type FoldOutcome =
  | ({ kind: 'applied' } & FoldEffects)
  /** The run row already holds this event (a replay). */
  | { kind: 'already-applied' }
  /** Valid, but changes nothing (a losing claim). */
  | { kind: 'ignored' }
  | { kind: 'rejected'; reason: string };

/** created_at of executions stored earlier, by execution key (see executionKey). */
export type KnownExecutions = (key: { org_id: string; project_id: string; model_name: string; id: string }) => ChDateTime | undefined;

const NO_EFFECTS = { logs: [], samples: [], executions: [] };

function epochMs(value: ChDateTime): number {
  return Date.parse(`${value.replace(' ', 'T')}Z`);
}

function durationSeconds(start: ChDateTime | null, end: ChDateTime | null): number | null {
  if (start === null || end === null) return null;
  return Math.max(0, epochMs(end) - epochMs(start)) / 1000;
}

/**
 * Orders every row an event writes: later events, and later items of one event, win. It is
 * offset × 10,000 + index, written as text without BigInt arithmetic (a Kafka offset is a
 * canonical decimal string; an event holds fewer than 10,000 items).
 */
export function version(position: LogPosition, index: number): string {
  if (position.offset === '0') return String(index);
  return position.offset + String(index).padStart(4, '0');
}

/** True when this run row already holds the event at `position` (a replayed batch). */
function alreadyApplied(state: RunRow, position: LogPosition): boolean {
  return state.kafka_partition === position.partition && BigInt(state.kafka_offset) >= BigInt(position.offset);
}

function created(event: RunEventEnvelope<'run.created'>, position: LogPosition): RunRow {
  const payload = event.payload;
  const at = toChDateTime(event.occurred_at);
  return {
    org_id: event.org_id,
    project_id: event.project_id,
    id: event.run_id,
    job_id: payload.job_id,
    job_name: payload.job_name,
    cronjob_name: payload.cronjob_name,
    namespace: payload.namespace,
    job_type: payload.job_type,
    status: 'pending',
    triggered_by: payload.triggered_by,
    target_gateway: payload.target_gateway,
    command_argv: payload.command_argv ?? [],
    claimed_by: '',
    claim_id: '',
    start_time: null,
    end_time: null,
    duration_seconds: null,
    error_summary: '',
    telemetry_summary: '{}',
    created_at: at,
    updated_at: at,
    event_count: 1,
    last_event_id: event.event_id,
    kafka_partition: position.partition,
    kafka_offset: position.offset,
    log_generation: 0,
    log_count: 0,
    sample_generation: 0,
    sample_count: 0,
  };
}

/** Stamps a changed row (a copy the caller owns) with the event that changed it. */
function touch(row: RunRow, event: AnyRunEvent, position: LogPosition): RunRow {
  row.updated_at = toChDateTime(event.occurred_at);
  row.event_count += 1;
  row.last_event_id = event.event_id;
  row.kafka_partition = position.partition;
  row.kafka_offset = position.offset;
  return row;
}

/** Whether a PATCH carries logs or telemetry besides its status fields. */
function carriesMoreThanStatus(payload: RunEventEnvelope<'run.patched'>['payload']): boolean {
  return (
    payload.append_log !== undefined ||
    payload.log_entries !== undefined ||
    payload.telemetry_summary !== undefined ||
    payload.append_telemetry_sample !== undefined ||
    payload.telemetry_samples !== undefined
  );
}

function patched(state: RunRow, event: RunEventEnvelope<'run.patched'>, position: LogPosition): FoldOutcome {
  const payload = event.payload;
  const current = toCanonicalStatus(state.status) as RunStatus;
  const next = payload.status === undefined ? current : toCanonicalStatus(payload.status);
  if (next === undefined) return { kind: 'rejected', reason: `unknown status ${JSON.stringify(payload.status)}` };
  // Ingest answers 409 to a change of a terminal status. A runner's report it accepted from a stale
  // view of a run the lease sweeper ended (`error`) keeps the run's status and times, and delivers the
  // logs and telemetry it carried: it was acknowledged. Any other change of a terminal status is
  // refused whole (the sweeper's own patch arriving after the runner's final status, above all).
  const late = isTerminal(current) && next !== current;
  if (late && !(current === 'error' && carriesMoreThanStatus(payload))) {
    return { kind: 'rejected', reason: `run is ${current}; a terminal run cannot become ${next}` };
  }
  const status = late ? current : next;
  const at = toChDateTime(event.occurred_at);
  let start = payload.started_at && !late ? toChDateTime(payload.started_at) : state.start_time;
  let end = payload.finished_at && !late ? toChDateTime(payload.finished_at) : state.end_time;
  if (start === null && status === 'running') start = at;
  if (end === null && isTerminal(status)) end = at;
  const row: RunRow = { ...state, status, start_time: start, end_time: end, duration_seconds: durationSeconds(start, end) };
  if (payload.error_summary !== undefined && !late) row.error_summary = payload.error_summary;
  if (payload.telemetry_summary !== undefined) {
    row.telemetry_summary = mergeSummary(state.telemetry_summary, payload.telemetry_summary);
  }

  // Within one PATCH a replace applies before an append.
  const logs: RunLogEntryRow[] = [];
  const logRing = { generation: state.log_generation, count: Number(state.log_count), cap: MAX_LOG_ENTRIES };
  const logState = ringWrite<LogEntry, RunLogEntryRow>(logRing, payload.log_entries, payload.append_log, logs, (entry, slot, generation, seq, index) => ({
    org_id: state.org_id,
    project_id: state.project_id,
    run_id: state.id,
    slot,
    generation,
    seq,
    at: toChDateTime(entry.at),
    level: entry.level,
    message: entry.message,
    version: version(position, index),
  }));
  const samples: RunTelemetrySampleRow[] = [];
  const sampleRing = { generation: state.sample_generation, count: Number(state.sample_count), cap: MAX_TELEMETRY_SAMPLES };
  const sampleState = ringWrite<TelemetrySample, RunTelemetrySampleRow>(
    sampleRing,
    payload.telemetry_samples,
    payload.append_telemetry_sample,
    samples,
    (sample, slot, generation, seq, index) => ({
      org_id: state.org_id,
      project_id: state.project_id,
      run_id: state.id,
      slot,
      generation,
      seq,
      at: toChDateTime(sample.at),
      values: sample.values,
      version: version(position, index),
    }),
  );
  row.log_generation = logState.generation;
  row.log_count = logState.count;
  row.sample_generation = sampleState.generation;
  row.sample_count = sampleState.count;

  return { kind: 'applied', row: touch(row, event, position), logs, samples, executions: [] };
}

/** First claim of a pending, unclaimed run wins; later claims change nothing. */
function claimed(state: RunRow, event: RunEventEnvelope<'run.claimed'>, position: LogPosition): FoldOutcome {
  if (state.claimed_by !== '' || state.status !== 'pending') return { kind: 'ignored' };
  return { kind: 'applied', row: touch({ ...state, claimed_by: event.payload.gateway, claim_id: event.payload.claim_id }, event, position), ...NO_EFFECTS };
}

/** Executions take the parent run's cronjob_name; the run row itself does not change. */
function executionsReported(state: RunRow, event: RunEventEnvelope<'model_executions.reported'>, position: LogPosition, known: KnownExecutions): FoldOutcome {
  const at = toChDateTime(event.occurred_at);
  const executions = event.payload.executions.map((execution, index): ModelExecutionRow => {
    const startedAt = toChDateTime(execution.started_at);
    const completedAt = execution.completed_at === null ? null : toChDateTime(execution.completed_at);
    return {
      org_id: state.org_id,
      project_id: state.project_id,
      model_name: execution.model_name,
      id: execution.id,
      job_run_id: state.id,
      cronjob_name: state.cronjob_name,
      status: execution.status,
      started_at: startedAt,
      completed_at: completedAt,
      duration_seconds: durationSeconds(startedAt, completedAt),
      rows_processed: execution.rows_processed,
      bytes_processed: execution.bytes_processed,
      interval_start: execution.interval_start === null ? null : toChDateTime(execution.interval_start),
      interval_end: execution.interval_end === null ? null : toChDateTime(execution.interval_end),
      created_at: known({ org_id: state.org_id, project_id: state.project_id, model_name: execution.model_name, id: execution.id }) ?? at,
      updated_at: at,
      version: version(position, index),
    };
  });
  return { kind: 'applied', logs: [], samples: [], executions };
}

/**
 * A scheduled run's id is derived from its job and tick, so two scheduler instances (or one
 * restarted after a crash) may both announce it: the second announcement is the same run.
 */
function sameScheduledRun(state: RunRow, event: RunEventEnvelope<'run.created'>): boolean {
  return (
    event.payload.triggered_by === 'scheduled' && state.triggered_by === 'scheduled' && event.payload.job_id !== '' && state.job_id === event.payload.job_id
  );
}

/**
 * Folds one event into a run's latest state. Pure and deterministic, so replaying the
 * log rebuilds identical rows; an event already reflected in `state` is recognised by
 * its log position and skipped, which makes a replayed batch change nothing.
 */
export function foldRunEvent(state: RunRow | undefined, event: AnyRunEvent, position: LogPosition, known: KnownExecutions = () => undefined): FoldOutcome {
  if (state && alreadyApplied(state, position)) return { kind: 'already-applied' };
  switch (event.type) {
    case 'run.created':
      if (state) return sameScheduledRun(state, event) ? { kind: 'ignored' } : { kind: 'rejected', reason: `run ${event.run_id} already exists` };
      return { kind: 'applied', row: created(event, position), ...NO_EFFECTS };
    case 'run.patched':
      if (!state) return { kind: 'rejected', reason: `run ${event.run_id} is unknown` };
      return patched(state, event, position);
    case 'run.claimed':
      if (!state) return { kind: 'rejected', reason: `run ${event.run_id} is unknown` };
      return claimed(state, event, position);
    case 'model_executions.reported':
      if (!state) return { kind: 'rejected', reason: `run ${event.run_id} is unknown` };
      return executionsReported(state, event, position, known);
  }
}
