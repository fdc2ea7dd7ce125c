import { ChDateTime, RunRow, toChDateTime } from '@runstream/clickhouse';
import { AnyRunEvent, isTerminal, RunEventEnvelope, RunStatus, toCanonicalStatus } from '@runstream/events';

/** Where an event sits in the log: the fold's version and its replay guard. */
export interface LogPosition {
  partition: number;
  offset: string;
}

export type FoldOutcome =
  | { kind: 'applied'; row: RunRow }
  /** The row already holds this event (a replay). */
  | { kind: 'already-applied' }
  /** Valid, but nothing in the run row changes (a losing claim; data kept in other tables). */
  | { kind: 'ignored' }
  | { kind: 'rejected'; reason: string };

function epochMs(value: ChDateTime): number {
  return Date.parse(`${value.replace(' ', 'T')}Z`);
}

function durationSeconds(start: ChDateTime | null, end: ChDateTime | null): number | null {
  if (start === null || end === null) return null;
  return Math.max(0, epochMs(end) - epochMs(start)) / 1000;
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
  };
}

function patched(state: RunRow, event: RunEventEnvelope<'run.patched'>, position: LogPosition): FoldOutcome {
  const payload = event.payload;
  const current = toCanonicalStatus(state.status) as RunStatus;
  const next = payload.status === undefined ? current : toCanonicalStatus(payload.status);
  if (next === undefined) return { kind: 'rejected', reason: `unknown status ${JSON.stringify(payload.status)}` };
  if (isTerminal(current) && next !== current) {
    return { kind: 'rejected', reason: `run is ${current}; a terminal run cannot become ${next}` };
  }
  const at = toChDateTime(event.occurred_at);
  let start = payload.started_at ? toChDateTime(payload.started_at) : state.start_time;
  let end = payload.finished_at ? toChDateTime(payload.finished_at) : state.end_time;
  if (start === null && next === 'running') start = at;
  if (end === null && isTerminal(next)) end = at;
  const row: RunRow = { ...state, status: next, start_time: start, end_time: end, duration_seconds: durationSeconds(start, end) };
  if (payload.error_summary !== undefined) row.error_summary = payload.error_summary;
  if (payload.telemetry_summary !== undefined) {
    row.telemetry_summary = JSON.stringify({ ...parseSummary(state.telemetry_summary), ...payload.telemetry_summary });
  }
  return { kind: 'applied', row: touched(row, event, position) };
}

function parseSummary(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text || '{}');
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** Stamps a changed row with the event that changed it. */
function touched(row: RunRow, event: AnyRunEvent, position: LogPosition): RunRow {
  return {
    ...row,
    updated_at: toChDateTime(event.occurred_at),
    event_count: row.event_count + 1,
    last_event_id: event.event_id,
    kafka_partition: position.partition,
    kafka_offset: position.offset,
  };
}

/** First claim of a pending, unclaimed run wins; later claims change nothing. */
function claimed(state: RunRow, event: RunEventEnvelope<'run.claimed'>, position: LogPosition): FoldOutcome {
  if (state.claimed_by !== '' || state.status !== 'pending') return { kind: 'ignored' };
  return { kind: 'applied', row: touched({ ...state, claimed_by: event.payload.gateway, claim_id: event.payload.claim_id }, event, position) };
}

/**
 * Folds one event into a run's latest state. Pure and deterministic, so replaying the
 * log rebuilds identical rows; an event already reflected in `state` is recognised by
 * its log position and skipped, which makes a replayed batch change nothing.
 */
export function foldRunEvent(state: RunRow | undefined, event: AnyRunEvent, position: LogPosition): FoldOutcome {
  if (state && alreadyApplied(state, position)) return { kind: 'already-applied' };
  switch (event.type) {
    case 'run.created':
      if (state) return { kind: 'rejected', reason: `run ${event.run_id} already exists` };
      return { kind: 'applied', row: created(event, position) };
    case 'run.patched':
      if (!state) return { kind: 'rejected', reason: `run ${event.run_id} is unknown` };
      return patched(state, event, position);
    case 'run.claimed':
      if (!state) return { kind: 'rejected', reason: `run ${event.run_id} is unknown` };
      return claimed(state, event, position);
    case 'model_executions.reported':
      if (!state) return { kind: 'rejected', reason: `run ${event.run_id} is unknown` };
      return { kind: 'ignored' };
  }
}
