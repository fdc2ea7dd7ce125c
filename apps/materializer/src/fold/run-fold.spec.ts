import { RunRow } from '@runstream/clickhouse';
import { AnyRunEvent, RunPatchedPayload, uuidv7 } from '@runstream/events';
import { foldRunEvent, FoldOutcome } from './run-fold';

const base = { schema_version: 1, org_id: 'org_a', project_id: 'proj_a', run_id: 'run_1', actor: 'tok_1' };

function createdEvent(at = '2026-02-26T05:59:00.000Z'): AnyRunEvent {
  return {
    ...base,
    event_id: uuidv7(),
    type: 'run.created',
    occurred_at: at,
    payload: { job_id: 'job_1', job_name: 'nightly-1', cronjob_name: 'nightly', namespace: 'ns', job_type: 'run', triggered_by: 'scheduled', target_gateway: '' },
  };
}

function patchedEvent(payload: RunPatchedPayload, at: string): AnyRunEvent {
  return { ...base, event_id: uuidv7(), type: 'run.patched', occurred_at: at, payload };
}

function applied(outcome: FoldOutcome): RunRow {
  if (outcome.kind !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(outcome)}`);
  return outcome.row;
}

function replay(events: AnyRunEvent[], partition = 0): RunRow {
  let state: RunRow | undefined;
  events.forEach((event, offset) => {
    state = applied(foldRunEvent(state, event, { partition, offset: String(offset) }));
  });
  if (!state) throw new Error('no events');
  return state;
}

describe('foldRunEvent', () => {
  it('creates a pending run stamped with the ingest time', () => {
    const row = replay([createdEvent()]);
    expect(row).toMatchObject({
      id: 'run_1',
      status: 'pending',
      cronjob_name: 'nightly',
      created_at: '2026-02-26 05:59:00.000',
      updated_at: '2026-02-26 05:59:00.000',
      start_time: null,
      end_time: null,
      duration_seconds: null,
      event_count: 1,
      kafka_offset: '0',
    });
  });

  it('starts the clock at running and stops it at a terminal status', () => {
    const row = replay([
      createdEvent(),
      patchedEvent({ status: 'running' }, '2026-02-26T06:00:00.000Z'),
      patchedEvent({ status: 'success' }, '2026-02-26T06:12:34.567Z'),
    ]);
    expect(row).toMatchObject({ status: 'success', start_time: '2026-02-26 06:00:00.000', end_time: '2026-02-26 06:12:34.567', duration_seconds: 754.567, event_count: 3 });
    expect(row.updated_at).toBe('2026-02-26 06:12:34.567');
  });

  it('prefers the times the runner reports', () => {
    const row = replay([
      createdEvent(),
      patchedEvent({ status: 'running', started_at: '2026-02-26T05:00:00.000Z' }, '2026-02-26T06:00:00.000Z'),
      patchedEvent({ status: 'failed', finished_at: '2026-02-26T05:30:00.500Z' }, '2026-02-26T06:10:00.000Z'),
    ]);
    expect(row).toMatchObject({ status: 'failed', start_time: '2026-02-26 05:00:00.000', end_time: '2026-02-26 05:30:00.500', duration_seconds: 1800.5 });
  });

  it('skips an event the state already holds, so a replayed batch changes nothing', () => {
    const events = [createdEvent(), patchedEvent({ status: 'running' }, '2026-02-26T06:00:00.000Z')];
    const state = replay(events);
    expect(foldRunEvent(state, events[1], { partition: 0, offset: '1' })).toEqual({ kind: 'already-applied' });
    expect(foldRunEvent(state, events[0], { partition: 0, offset: '0' })).toEqual({ kind: 'already-applied' });
  });

  it('compares offsets as 64-bit integers, not strings', () => {
    const state = { ...replay([createdEvent()]), kafka_offset: '9' };
    const next = foldRunEvent(state, patchedEvent({ status: 'running' }, '2026-02-26T06:00:00.000Z'), { partition: 0, offset: '10' });
    expect(next.kind).toBe('applied');
  });

  it('rejects leaving a terminal status', () => {
    const state = replay([createdEvent(), patchedEvent({ status: 'success' }, '2026-02-26T06:00:00.000Z')]);
    const outcome = foldRunEvent(state, patchedEvent({ status: 'running' }, '2026-02-26T06:01:00.000Z'), { partition: 0, offset: '2' });
    expect(outcome).toEqual({ kind: 'rejected', reason: 'run is success; a terminal run cannot become running' });
  });

  it('accepts a repeated terminal status as a plain update', () => {
    const state = replay([createdEvent(), patchedEvent({ status: 'success' }, '2026-02-26T06:00:00.000Z')]);
    const row = applied(foldRunEvent(state, patchedEvent({ status: 'success' }, '2026-02-26T06:01:00.000Z'), { partition: 0, offset: '2' }));
    expect(row.end_time).toBe('2026-02-26 06:00:00.000');
  });

  it('rejects a patch for a run it has never seen and a second create', () => {
    expect(foldRunEvent(undefined, patchedEvent({ status: 'running' }, '2026-02-26T06:00:00.000Z'), { partition: 0, offset: '0' })).toEqual({
      kind: 'rejected',
      reason: 'run run_1 is unknown',
    });
    const state = replay([createdEvent()]);
    expect(foldRunEvent(state, createdEvent(), { partition: 0, offset: '1' })).toEqual({ kind: 'rejected', reason: 'run run_1 already exists' });
  });
});
