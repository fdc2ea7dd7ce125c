import { ChDateTime, RunRow, toChDateTime } from '@runstream/clickhouse';
import { AnyRunEvent, isTerminal, RunEventEnvelope, RunStatus, toCanonicalStatus } from '@runstream/events';

/** Where an event sits in the log: the fold's version and its replay guard. */
export interface LogPosition {
  partition: number;
  offset: string;
}

export type FoldOutcome = { kind: 'applied'; row: RunRow } | { kind: 'already-applied' } | { kind: 'rejected'; reason: string };

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
  return {
    kind: 'applied',
    row: {
      ...state,
      status: next,
      start_time: start,
      end_time: end,
      duration_seconds: durationSeconds(start, end),
      updated_at: at,
      event_count: state.event_count + 1,
      last_event_id: event.event_id,
      kafka_partition: position.partition,
      kafka_offset: position.offset,
    },
  };
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
  }
}
